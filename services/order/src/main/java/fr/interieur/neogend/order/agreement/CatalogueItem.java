package fr.interieur.neogend.order.agreement;

import fr.interieur.neogend.order.money.Money;

import java.util.Optional;

/**
 * One line of the price schedule (BPU).
 *
 * @param packType  for a pack lease, its pack type
 * @param unitPrice excluding tax: per month for a pack lease, per unit otherwise, per day for training
 */
public record CatalogueItem(String code, ItemKind kind, String label, Optional<String> packType, Money unitPrice) {}
