package fr.interieur.neogend.chart;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * The chart's copy of the realm (helm/neogend/files/realm-neogend.json) from the repo's
 * (platform/keycloak/realm-neogend.json): what must not reach a cluster is taken out.
 * <ul>
 *   <li>DEV ONLY and demo clients (password grant for scripts, the demo supplier) are dropped;</li>
 *   <li>demo people (users with a password credential) and the service accounts of dropped clients are dropped;</li>
 *   <li>every remaining client secret becomes a placeholder {@code ${<CLIENT_ID>_CLIENT_SECRET}}, which
 *       Keycloak's import replaces with the environment variable of that name.</li>
 * </ul>
 */
final class RealmSanitizer {

    static final Set<String> DROPPED_CLIENTS = Set.of("neogend-cli", "supplier-demo", "supplier-other");

    static String placeholder(String clientId) {
        return "${" + clientId.toUpperCase(Locale.ROOT).replace('-', '_') + "_CLIENT_SECRET}";
    }

    static ObjectNode sanitize(ObjectNode source) {
        ObjectNode realm = source.deepCopy();
        ArrayNode clients = (ArrayNode) realm.get("clients");
        for (Iterator<JsonNode> it = clients.iterator(); it.hasNext(); ) {
            if (DROPPED_CLIENTS.contains(it.next().get("clientId").asString())) {
                it.remove();
            }
        }
        for (JsonNode client : clients) {
            if (client.has("secret")) {
                ((ObjectNode) client).put("secret", placeholder(client.get("clientId").asString()));
            }
        }
        ArrayNode users = (ArrayNode) realm.get("users");
        for (Iterator<JsonNode> it = users.iterator(); it.hasNext(); ) {
            JsonNode user = it.next();
            JsonNode owner = user.get("serviceAccountClientId");
            if (user.has("credentials") || (owner != null && DROPPED_CLIENTS.contains(owner.asString()))) {
                it.remove();
            }
        }
        return realm;
    }

    private RealmSanitizer() {
    }
}
