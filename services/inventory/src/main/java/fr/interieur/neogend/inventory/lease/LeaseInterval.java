package fr.interieur.neogend.inventory.lease;

import fr.interieur.neogend.inventory.device.PackType;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The billable days of one pack in one month (DOMAIN rule 13).
 *
 * @param from        first billed day (inclusive)
 * @param until       day after the last billed day (exclusive)
 * @param agreementId the agreement these days bill to
 * @param deviceImeis the devices the pack held during these days, the one there now (or last) first
 */
public record LeaseInterval(
        String packId,
        PackType type,
        Optional<String> unitCode,
        LocalDate from,
        LocalDate until,
        int daysInMonth,
        String agreementId,
        java.util.List<String> deviceImeis) {

    public int billedDays() {
        return (int) ChronoUnit.DAYS.between(from, until);
    }
}
