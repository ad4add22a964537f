package fr.interieur.neogend.inventory.lease;

import fr.interieur.neogend.inventory.agreement.AgreementChecks;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.security.Caller;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.DateTimeException;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Lease intervals for the monthly statement: a pack is billed from its reception (inclusive) to its
 * return (exclusive), whatever devices it held meanwhile, so an exchange never bills a day twice;
 * each day to the agreement the pack was leased under that day, so a transfer never bills a day to
 * two agreements.
 */
@Service
public class LeaseService {

    public static final int BATCH = 1000;

    private final LeaseRepository leases;
    private final AgreementChecks agreements;

    public LeaseService(LeaseRepository leases, AgreementChecks agreements) {
        this.leases = leases;
        this.agreements = agreements;
    }

    /**
     * Streams the month's intervals in batches of at most {@link #BATCH}, in one read-only
     * transaction (a consistent snapshot of the fleet).
     *
     * @param cancelled polled between rows: the caller went away, stop reading
     */
    @Transactional(readOnly = true)
    public void stream(
            int year,
            int month,
            String agreementId,
            Caller caller,
            Consumer<List<LeaseInterval>> batches,
            BooleanSupplier cancelled) {
        if (agreementId == null || agreementId.isBlank()) {
            throw InvalidArgumentException.of("agreement_id", "is required: the agreement whose days are billed");
        }
        if (caller.hasRole(Caller.SUPPLIER)) { // its own agreements only (the order service knows whose)
            agreements.require(agreementId, "agreement_id");
        }
        YearMonth ym = month(year, month);
        List<LeaseInterval> batch = new ArrayList<>(BATCH);
        leases.forEachInterval(ym, agreementId, interval -> {
            if (cancelled.getAsBoolean()) {
                throw new StreamCancelledException();
            }
            batch.add(interval);
            if (batch.size() == BATCH) {
                batches.accept(List.copyOf(batch));
                batch.clear();
            }
        });
        if (!batch.isEmpty()) {
            batches.accept(List.copyOf(batch));
        }
    }

    /** The models of the devices of the agreement's packs (its patch SLA's releases); a supplier: its own. */
    @Transactional(readOnly = true)
    public List<String> leasedModels(String agreementId, List<String> among, Caller caller) {
        if (agreementId == null || agreementId.isBlank()) {
            throw InvalidArgumentException.of("agreement_id", "is required: the agreement whose models are listed");
        }
        if (caller.hasRole(Caller.SUPPLIER)) {
            agreements.require(agreementId, "agreement_id");
        }
        return leases.leasedModels(agreementId, among);
    }

    /** The month's billed days per pack type: the statement's figures, summed by the database. */
    @Transactional(readOnly = true)
    public List<LeaseRepository.TypeDays> sum(int year, int month, String agreementId, Caller caller) {
        if (agreementId == null || agreementId.isBlank()) {
            throw InvalidArgumentException.of("agreement_id", "is required: the agreement whose days are billed");
        }
        if (caller.hasRole(Caller.SUPPLIER)) {
            agreements.require(agreementId, "agreement_id");
        }
        return leases.sumPerType(month(year, month), agreementId);
    }

    private static YearMonth month(int year, int month) {
        if (year < 2000 || year > 2100) {
            throw InvalidArgumentException.of("year", "must be between 2000 and 2100");
        }
        try {
            return YearMonth.of(year, month);
        } catch (DateTimeException e) {
            throw InvalidArgumentException.of("month", "must be 1 to 12");
        }
    }

    /** The receiver cancelled the stream; reading stops. */
    public static final class StreamCancelledException extends RuntimeException {
        public StreamCancelledException() {
            super("stream cancelled by the caller", null, false, false);
        }
    }
}
