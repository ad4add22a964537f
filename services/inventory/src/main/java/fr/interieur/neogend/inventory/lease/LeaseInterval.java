package fr.interieur.neogend.inventory.lease;

import fr.interieur.neogend.inventory.device.PackType;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The billable days of one pack in one month (DOMAIN rule 13).
 *
 * @param from  first billed day (inclusive)
 * @param until day after the last billed day (exclusive)
 */
public record LeaseInterval(String packId, PackType type, Optional<String> unitCode, LocalDate from, LocalDate until,
                            int daysInMonth) {

    public int billedDays() {
        return (int) ChronoUnit.DAYS.between(from, until);
    }
}
