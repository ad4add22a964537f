package fr.interieur.neogend.order.exchange;

import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.order.agreement.AgreementRepository;
import fr.interieur.neogend.order.supplier.SupplierMessage;
import fr.interieur.neogend.order.supplier.SupplierOutbox;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Exchange requests (DOMAIN rule 16): a failed repair ends in a request to the supplier to replace the
 * device. The request and its outbox row are written in one transaction, so it is never lost; the
 * supplier relay sends it at least once, with its number as Idempotency-Key, and records the answer
 * here. One live request per device.
 */
@Service
public class ExchangeRequestService {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{1,500}");
    private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,99}");

    /** States a device in a pack can be exchanged out of (inventory's EXCHANGE_OUT). */
    static final java.util.Set<String> EXCHANGEABLE =
            java.util.Set.of("IN_STOCK", "ASSIGNED", "IN_REPAIR", "PENDING_RETURN", "LOST", "STOLEN");

    private final ExchangeRequestRepository requests;
    private final AgreementRepository agreements;
    private final SupplierOutbox outbox;
    private final FleetDevices fleet;
    private final Clock clock;

    public ExchangeRequestService(
            ExchangeRequestRepository requests,
            AgreementRepository agreements,
            SupplierOutbox outbox,
            FleetDevices fleet,
            Optional<Clock> clock) {
        this.requests = requests;
        this.agreements = agreements;
        this.outbox = outbox;
        this.fleet = fleet;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** Records a request and queues it for the supplier. */
    @Transactional
    public ExchangeRequest request(
            Optional<String> agreementId,
            String imei,
            String model,
            String reason,
            Optional<String> repairReference,
            Caller caller) {
        Validation v = new Validation();
        String imeiProblem = Imei.problem(imei);
        v.check(imeiProblem == null, "exchange_request.imei", imeiProblem);
        v.check(
                model == null || model.isBlank() || TEXT.matcher(model).matches() && model.length() <= 200,
                "exchange_request.model",
                "1 to 200 characters (default: the device's model)");
        v.check(
                reason != null && !reason.isBlank() && TEXT.matcher(reason).matches(),
                "exchange_request.reason",
                "is required: 1 to 500 characters");
        repairReference.ifPresent(r -> v.check(
                REFERENCE.matcher(r).matches(),
                "exchange_request.repair_reference",
                "1 to 100 letters, digits, '.', '_', '/', '-'"));
        v.throwIfInvalid();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        // the device as inventory knows it, on the caller's behalf: it exists, is in the caller's reach,
        // is in a pack it can leave; its pack's agreement is the one the exchange belongs to
        FleetDevices.FleetDevice device =
                fleet.find(imei).orElseThrow(() -> new NotFoundException("no device with IMEI " + imei));
        if (device.packId().isEmpty() || !EXCHANGEABLE.contains(device.state())) {
            throw new PreconditionFailedException("device " + imei + " is " + device.state()
                    + (device.packId().isEmpty() ? " and in no pack" : "") + ": only a device in a pack that is "
                    + String.join(", ", new java.util.TreeSet<>(EXCHANGEABLE)) + " can be exchanged");
        }
        String agreement = device.agreementId()
                .orElseThrow(() -> new PreconditionFailedException(
                        "the pack of device " + imei + " is leased under no agreement; attach it first"));
        if (agreementId.isPresent() && !agreementId.get().equals(agreement)) {
            throw InvalidArgumentException.of(
                    "exchange_request.agreement_id",
                    "device " + imei + "'s pack is leased " + "under " + agreement + ", not " + agreementId.get()
                            + " (leave it empty)");
        }
        existing(agreement);
        model = model == null || model.isBlank() ? device.model() : model;
        String number =
                String.format("EX-%04d-%06d", LocalDate.ofInstant(now, PARIS).getYear(), requests.nextNumber());
        if (!requests.insert(
                number, agreement, imei, model.trim(), reason.trim(), repairReference, caller.username(), now)) {
            throw new AlreadyExistsException("an exchange of device " + imei + " is requested already");
        }
        // the request and its outbox row in one transaction: never lost
        outbox.enqueue(
                new SupplierMessage.ExchangeMessage(
                        number, agreement, imei, model.trim(), reason.trim(), repairReference.orElse("")),
                now);
        return get(number);
    }

    private String existing(String agreementId) {
        return agreements
                .find(agreementId)
                .map(a -> agreementId)
                .orElseThrow(() ->
                        InvalidArgumentException.of("exchange_request.agreement_id", "no agreement " + agreementId));
    }

    @Transactional(readOnly = true)
    public ExchangeRequest get(String number) {
        return requests.find(number).orElseThrow(() -> new NotFoundException("no exchange request " + number));
    }

    /** Requests, newest first; optionally for one device. */
    @Transactional(readOnly = true)
    public Page<ExchangeRequest> list(Optional<String> imei, int pageSize, String pageToken) {
        String filters = "imei=" + imei.orElse("");
        PageRequest page = PageRequest.of(pageSize, pageToken, filters);
        if (page.afterKey().filter(n -> !n.matches("EX-[0-9]{4}-[0-9]{6,19}")).isPresent()) { // forged
            throw InvalidArgumentException.of("page_token", "is not a token of this listing");
        }
        List<ExchangeRequest> rows = requests.page(imei, page.afterKey(), page.fetchSize());
        return page.toPage(rows, ExchangeRequest::number, filters);
    }

    /** The supplier received it (called by the relay, in its transaction). */
    public void markSent(String number, String supplierReference) {
        requests.markSent(number, supplierReference);
    }

    /** The supplier refused it; a new request for the device may be made. */
    public void markRefused(String number, String reason) {
        requests.markRefused(number, reason.length() > 500 ? reason.substring(0, 500) : reason);
    }
}
