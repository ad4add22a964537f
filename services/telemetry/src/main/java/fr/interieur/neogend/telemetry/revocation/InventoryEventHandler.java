package fr.interieur.neogend.telemetry.revocation;

import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.telemetry.ingestion.Upload;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Acts on what the inventory tells (DOMAIN rule 11): a lost, stolen, exchanged or returned device has
 * its credentials revoked; a lost one gets a LOCK, a stolen one a LOCK and a WIPE, queued for its next
 * contact. Deliveries come at least once: each event is applied once, by its id, in one transaction.
 */
@Service
public class InventoryEventHandler {

    private static final Pattern IMEI = Pattern.compile("[0-9]{15}");

    private final RevocationRepository repository;
    private final Clock clock;

    public InventoryEventHandler(RevocationRepository repository, Optional<Clock> clock) {
        this.repository = repository;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** Applies an event; false when it had been applied already (a repeated delivery). */
    @Transactional
    public boolean apply(InventoryEvent event) {
        Validation v = new Validation();
        v.check(IMEI.matcher(event.imei()).matches(), "event.imei", "must be 15 digits");
        event.replacementImei()
                .ifPresent(r -> v.check(IMEI.matcher(r).matches(), "event.replacement_imei", "must be 15 digits"));
        v.throwIfInvalid();
        Instant now = clock.instant();
        if (!repository.insertEvent(event, now)) {
            return false;
        }
        repository.revoke(event.imei(), event.kind(), now, event.eventId());
        repository.withdrawUpdates(event.imei()); // its campaign counts it withdrawn, not silent a day later
        switch (event.kind()) {
            case DEVICE_LOST ->
                repository.queueCommands(event.imei(), List.of(Upload.CommandKind.LOCK), now, event.eventId());
            case DEVICE_STOLEN ->
                repository.queueCommands(
                        event.imei(), List.of(Upload.CommandKind.LOCK, Upload.CommandKind.WIPE), now, event.eventId());
            case DEVICE_EXCHANGED, DEVICE_RETURNED -> {}
        }
        return true;
    }
}
