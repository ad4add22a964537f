package fr.interieur.neogend.inventory.device;

import fr.interieur.neogend.kit.error.InvalidArgumentException;

import java.util.List;

/**
 * A delivery judged and not stored: its problems row by row (at most {@link DeviceService#PROBLEMS_LISTED},
 * {@code problemCount} counts them all), the rows with one, and for a sound delivery what registering it
 * would do.
 */
public record DeliveryCheck(
        List<InvalidArgumentException.Violation> problems,
        int problemCount,
        int badRowCount,
        int newCount,
        int alreadyRegisteredCount) {

    public DeliveryCheck {
        problems = List.copyOf(problems);
    }
}
