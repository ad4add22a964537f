package fr.interieur.neogend.kit.security;

import java.util.Optional;
import java.util.Set;

/**
 * The authenticated caller of a request, taken from its verified access token.
 *
 * @param subject     the token subject (stable user or client id)
 * @param username    {@code preferred_username}, for audit trails
 * @param roles       realm roles ({@code realm_access.roles})
 * @param unitCode    the {@code unit_code} claim of staff users, if any
 * @param supplierId  the {@code supplier_id} claim of supplier clients, if any
 */
public record Caller(
        String subject, String username, Set<String> roles, Optional<String> unitCode, Optional<String> supplierId) {

    public static final String FLEET_MANAGER = "fleet-manager";
    public static final String UNIT_MANAGER = "unit-manager";
    public static final String TECHNICIAN = "technician";
    public static final String AUDITOR = "auditor";
    public static final String SUPPLIER = "supplier";
    /** NeoGEND services calling each other on their own behalf (service accounts only). */
    public static final String INTERNAL_SERVICE = "internal-service";

    public Caller {
        roles = Set.copyOf(roles);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /**
     * True when the caller's reach is limited to its own unit subtree: everyone but fleet managers,
     * auditors and services, who see the whole fleet (what they may do is still each RPC's rule). An
     * auditor who is also a unit manager or a technician is limited to its unit: the whole fleet an
     * auditor reads must not become the reach of the roles that change things.
     */
    public boolean restrictedToUnit() {
        if (hasRole(FLEET_MANAGER) || hasRole(INTERNAL_SERVICE)) {
            return false;
        }
        return !hasRole(AUDITOR) || hasRole(UNIT_MANAGER) || hasRole(TECHNICIAN);
    }

    @Override
    public String toString() { // never prints token material
        return "Caller[" + username + " " + roles + "]";
    }
}
