package fr.interieur.neogend.inventory.agreement;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.Validation;
import org.springframework.stereotype.Component;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The checks every use of an agreement makes: it exists (for this caller) and is in force on a day. */
@Component
public class AgreementChecks {

    private final AgreementDirectory directory;

    public AgreementChecks(AgreementDirectory directory) {
        this.directory = directory;
    }

    /** The agreement, or NOT_FOUND (an agreement a supplier may not see does not exist for it). */
    public AgreementDirectory.AgreementTerm require(String agreementId, String field) {
        if (agreementId == null || agreementId.isBlank()) {
            throw InvalidArgumentException.of(field, "is required: the framework agreement");
        }
        return directory.find(agreementId).orElseThrow(() -> new NotFoundException("no agreement " + agreementId));
    }

    /** A lookup that asks the directory once per agreement (a delivery names one agreement many times). */
    public Lookup lookup() {
        return new Lookup();
    }

    /** Agreements looked up for one request. */
    public final class Lookup {
        private final Map<String, Optional<AgreementDirectory.AgreementTerm>> seen = new HashMap<>();

        /** Records a violation on {@code field} unless the agreement exists and is in force on {@code day}. */
        public void inForce(String agreementId, LocalDate day, String field, Validation v) {
            problem(agreementId, day).ifPresent(p -> v.check(false, field, p));
        }

        /** Why the agreement cannot be used on {@code day} (it does not exist, or is not in force); empty if it can. */
        public Optional<String> problem(String agreementId, LocalDate day) {
            Optional<AgreementDirectory.AgreementTerm> term = seen.computeIfAbsent(agreementId, directory::find);
            if (term.isEmpty()) {
                return Optional.of("agreement " + agreementId + " does not exist");
            }
            return term.get().inForceOn(day)
                    ? Optional.empty()
                    : Optional.of("agreement " + term.get().describe() + " is not in force on " + day);
        }

        /** How many distinct agreements were looked up (each is one call to the order service). */
        public int lookedUp() {
            return seen.size();
        }

        /** Whether this agreement was looked up already (asking again costs nothing). */
        public boolean known(String agreementId) {
            return seen.containsKey(agreementId);
        }
    }
}
