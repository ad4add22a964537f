package fr.interieur.neogend.telemetry.enrolment;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.security.Caller;
import fr.interieur.neogend.kit.validation.Imei;
import fr.interieur.neogend.telemetry.campaign.CampaignService;
import fr.interieur.neogend.telemetry.revocation.RevocationRepository;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Enrols devices known to inventory: one active credential per device, replaced on re-enrolment. */
@Service
public class EnrolmentService {

    private final CredentialRepository credentials;
    private final RevocationRepository revocations;
    private final InventoryDevices inventory;
    private final CampaignService campaigns;
    private final DeviceCredentials issuer;

    public EnrolmentService(
            DeviceCredentials issuer,
            CredentialRepository credentials,
            RevocationRepository revocations,
            InventoryDevices inventory,
            CampaignService campaigns) {
        this.issuer = issuer;
        this.credentials = credentials;
        this.revocations = revocations;
        this.inventory = inventory;
        this.campaigns = campaigns;
    }

    @Transactional
    public DeviceCredentials.Issued enrol(String imei, Caller caller) {
        String problem = Imei.problem(imei);
        if (problem != null) {
            throw InvalidArgumentException.of("imei", problem);
        }
        // inventory first, on the caller's behalf: a device outside the caller's reach is not found, whatever
        // telemetry knows of it (that it was declared stolen is not the caller's to learn)
        InventoryDevices.Placed device = inventory
                .device(imei)
                .orElseThrow(() -> new NotFoundException("no device with IMEI " + imei + " in inventory"));
        if (revocations.reasonOf(imei).isPresent()) {
            throw new PreconditionFailedException(
                    "device " + imei + " was declared lost, stolen, exchanged or returned: it cannot be enrolled");
        }
        // inventory's word too (rule 11): its event may still be on its way to us (its outbox waits while we
        // are unreachable and parks an event refused for good) — a credential issued meanwhile would work
        if (device.lostOrStolen() || device.state().equals("RETURNED")) {
            throw new PreconditionFailedException("device " + imei + " is "
                    + device.state().toLowerCase(java.util.Locale.ROOT)
                    + " in inventory: it cannot be enrolled");
        }
        DeviceCredentials.Issued issued = issuer.issue();
        credentials.replace(imei, issued.id(), issued.secretHash(), caller.username());
        // a new device, or an exchange's replacement, joins the running campaign of its model (issue 20)
        campaigns.join(device);
        return issued;
    }
}
