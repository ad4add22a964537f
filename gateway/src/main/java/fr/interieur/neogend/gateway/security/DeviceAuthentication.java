package fr.interieur.neogend.gateway.security;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import java.util.List;

/**
 * A device, before and after its credential is verified: unverified it carries the credential
 * only; verified it names the device's IMEI and holds the {@code DEVICE} authority, the only one
 * that opens the routes devices call.
 */
public final class DeviceAuthentication extends AbstractAuthenticationToken {

    public static final String AUTHORITY = "DEVICE";

    private final String credential;
    private final String imei;

    private DeviceAuthentication(String credential, String imei) {
        super(imei == null ? List.of() : List.of(new SimpleGrantedAuthority(AUTHORITY)));
        this.credential = credential;
        this.imei = imei;
        setAuthenticated(imei != null);
    }

    /** A credential to verify. */
    static DeviceAuthentication unverified(String credential) {
        return new DeviceAuthentication(credential, null);
    }

    /** A device whose credential was verified. */
    static DeviceAuthentication verified(String imei) {
        return new DeviceAuthentication(null, imei);
    }

    /** The IMEI of a verified device (null before). */
    public String imei() {
        return imei;
    }

    String credential() {
        return credential;
    }

    @Override
    public Object getCredentials() {
        return null; // never kept after verification, never logged
    }

    @Override
    public Object getPrincipal() {
        return imei;
    }

    @Override
    public String getName() {
        return imei == null ? "device" : "device:" + imei;
    }
}
