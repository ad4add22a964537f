package fr.interieur.neogend.kit.security;

import java.util.Optional;

/**
 * Checks a device's own credential ({@code Authorization: Device <credential>}), issued at
 * enrolment. A service that serves devices provides one; revocation takes effect on the next call
 * because nothing is cached.
 */
public interface DeviceAuthenticator {

    /** The IMEI of the device the credential belongs to, if it is valid and not revoked. */
    Optional<String> authenticate(String credential);
}
