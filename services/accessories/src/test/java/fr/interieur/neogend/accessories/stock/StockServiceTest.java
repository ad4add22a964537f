package fr.interieur.neogend.accessories.stock;

import fr.interieur.neogend.accessories.catalogue.ItemCategory;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.security.Caller;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stock's rules over in-memory ports (DOMAIN rule 15): never negative, every movement kept, one
 * alert per crossing below the minimum. Concurrency is tried against PostgreSQL by {@code StockIT}.
 */
class StockServiceTest {

    private final InMemoryStock store = new InMemoryStock();
    private final StockService stock = new StockService(store, store.catalogue);
    private final StockHistory history = new StockHistory(store);
    private final Caller keeper =
            new Caller("s", "keeper", Set.of(Caller.FLEET_MANAGER), Optional.empty(), Optional.empty());

    private void move(String kind, String depot, Optional<String> to, long n) {
        move(MovementKind.valueOf(kind), depot, to, n);
    }

    private void move(MovementKind kind, String depot, Optional<String> to, long n) {
        stock.move(kind, "SP-SCREEN", depot, to, n, Optional.empty(), keeper);
    }

    @Test
    void oneAlertPerCrossingBelowTheMinimumClearedWhenTheStockClimbsBack() {
        stock.createItem("SP-SCREEN", "Screen", ItemCategory.SPARE_PART, List.of("Rugged X"), "");
        stock.createDepot("DEP-A", "Rennes");
        stock.setMinimum("DEP-A", "SP-SCREEN", 5);
        assertThat(store.alerts).hasSize(1); // 0 < 5 at once: crossed when the minimum is set
        move("RECEIPT", "DEP-A", Optional.empty(), 10);
        assertThat(stock.openAlerts(Optional.empty())).isEmpty();
        move("ISSUE", "DEP-A", Optional.empty(), 6); // 4 < 5: a new alert
        move("ISSUE", "DEP-A", Optional.empty(), 1); // 3: still below, no second alert
        assertThat(stock.openAlerts(Optional.empty()))
                .singleElement()
                .satisfies(a -> assertThat(a.quantity()).isEqualTo(4));
        move("RECEIPT", "DEP-A", Optional.empty(), 2); // 5: back at the minimum, cleared
        assertThat(stock.openAlerts(Optional.empty())).isEmpty();
        assertThat(store.alerts).hasSize(2);
        assertThat(stock.level("DEP-A", "SP-SCREEN").belowMinimum()).isFalse();
    }

    @Test
    void stockNeverGoesNegativeAndARefusedMovementLeavesNoTrace() {
        stock.createItem("SP-SCREEN", "Screen", ItemCategory.SPARE_PART, List.of("Rugged X"), "");
        stock.createDepot("DEP-A", "Rennes");
        stock.createDepot("DEP-B", "Brest");
        move("RECEIPT", "DEP-A", Optional.empty(), 3);
        assertThatThrownBy(() -> move("TRANSFER", "DEP-A", Optional.of("DEP-B"), 4))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessage("only 3 of SP-SCREEN in DEP-A; cannot take 4");
        move("TRANSFER", "DEP-A", Optional.of("DEP-B"), 3);
        assertThat(stock.level("DEP-A", "SP-SCREEN").quantity()).isZero();
        assertThat(stock.level("DEP-B", "SP-SCREEN").quantity()).isEqualTo(3);
        assertThat(history.movements(
                                new StockHistory.Filter(
                                        Optional.of("DEP-B"),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.empty()),
                                10,
                                "")
                        .items())
                .extracting(StockHistory.Movement::kind)
                .containsExactly(MovementKind.TRANSFER); // a depot in or out
        assertThat(store.movements).hasSize(2);
    }

    @Test
    void badMovementsAndDuplicatesAreRefusedNamingTheField() {
        stock.createItem("SP-SCREEN", "Screen", ItemCategory.SPARE_PART, List.of("Rugged X"), "");
        stock.createDepot("DEP-A", "Rennes");
        assertThatThrownBy(() -> stock.createDepot("DEP-A", "Other")).isInstanceOf(AlreadyExistsException.class);
        assertThatThrownBy(() -> move("TRANSFER", "DEP-A", Optional.of("DEP-A"), 1))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("to_depot_code");
        assertThatThrownBy(() -> move("ISSUE", "DEP-X", Optional.empty(), 1))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("no depot DEP-X");
        assertThatThrownBy(() ->
                        stock.move(MovementKind.ISSUE, "NOPE", "DEP-A", Optional.empty(), 1, Optional.empty(), keeper))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("no catalogue item NOPE");
        assertThat(store.movements).isEmpty();
    }
}
