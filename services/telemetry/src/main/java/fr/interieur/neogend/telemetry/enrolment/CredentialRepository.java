package fr.interieur.neogend.telemetry.enrolment;

import java.util.Optional;

/** Storage of device credentials (table {@code device_credential}, owned by the adapter implementing this port). */
public interface CredentialRepository {

    /** A credential that may authenticate now: its device and the SHA-256 of its secret. */
    record Active(String imei, byte[] secretHash) {}

    /** Revokes the device's active credential, if any, and stores the new one (one active per device). */
    void replace(String imei, String id, byte[] secretHash, String createdBy);

    /**
     * The credential of this id when it may authenticate: not replaced, and its device not revoked — or
     * revoked as lost or stolen while a LOCK or WIPE still waits for it (rule 21).
     */
    Optional<Active> active(String id);

    /** {@link #active} for several ids in one statement: the active ones by id (the others absent). */
    java.util.Map<String, Active> activeAll(java.util.Collection<String> ids);
}
