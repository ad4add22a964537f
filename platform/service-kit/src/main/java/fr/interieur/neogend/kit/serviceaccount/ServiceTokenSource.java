package fr.interieur.neogend.kit.serviceaccount;

import java.util.Optional;

/**
 * Access tokens of this service's own service account, for calls it makes on its own behalf (e.g.
 * delivering outbox events), never on behalf of a user.
 */
public interface ServiceTokenSource {

    /** A valid token, or empty when no service account is configured (the caller must wait, not fail). */
    Optional<String> token();
}
