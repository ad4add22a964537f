package fr.interieur.neogend.gateway.security;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import java.util.List;

/**
 * A device, before and after its credential is verified: unverified it carries the credential
 * only; verified it names the credential's id (the public half, one per enrolled device) and holds
 * the {@code DEVICE} authority, the only one that opens the routes devices call.
 */
public final class DeviceAuthentication extends AbstractAuthenticationToken {

    public static final String AUTHORITY = "DEVICE";

    private final String credential;
    private final String id;

    private DeviceAuthentication(String credential, String id) {
        super(id == null ? List.of() : List.of(new SimpleGrantedAuthority(AUTHORITY)));
        this.credential = credential;
        this.id = id;
        setAuthenticated(id != null);
    }

    /** A credential to verify. */
    static DeviceAuthentication unverified(String credential) {
        return new DeviceAuthentication(credential, null);
    }

    /** A device whose credential (of id {@code id}) was verified. */
    static DeviceAuthentication verified(String id) {
        return new DeviceAuthentication(null, id);
    }

    /** The credential id of a verified device (null before). */
    public String id() {
        return id;
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
        return id;
    }

    @Override
    public String getName() {
        return id == null ? "device" : "device:" + id;
    }
}
