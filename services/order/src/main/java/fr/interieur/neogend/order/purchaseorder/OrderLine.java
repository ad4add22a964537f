package fr.interieur.neogend.order.purchaseorder;

import fr.interieur.neogend.order.agreement.ItemKind;
import fr.interieur.neogend.order.money.Money;

import java.util.Optional;

/** One line of an order, priced from the schedule when the order was created. */
public record OrderLine(String itemCode, ItemKind kind, Optional<String> packType, long quantity, Money unitPrice) {}
