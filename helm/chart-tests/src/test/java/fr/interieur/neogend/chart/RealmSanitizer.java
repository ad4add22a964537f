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
 *       Keycloak's import replaces with the environment variable of that name;</li>
 *   <li>a disabled model of a supplier's client is added: suppliers authenticate with signed JWTs
 *       ({@code private_key_jwt}), their keys read — and rotated — from their own JWKS URL, never a
 *       shared secret. The operator copies it per supplier (README).</li>
 * </ul>
 */
final class RealmSanitizer {

    static final String WEB_CLIENT = "neogend-web";
    /** Replaced at import by Keycloak with the environment variable: the console's public origin. */
    static final String CONSOLE_ORIGIN = "${NEOGEND_CONSOLE_ORIGIN}";

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
                ((ObjectNode) client)
                        .put("secret", placeholder(client.get("clientId").asString()));
            }
            if (client.get("clientId").asString().equals(WEB_CLIENT)) { // the console, where the operator serves it
                ObjectNode web = (ObjectNode) client;
                web.putArray("redirectUris").add(CONSOLE_ORIGIN + "/console/*");
                web.putArray("webOrigins").add(CONSOLE_ORIGIN);
                ((ObjectNode) web.get("attributes")).put("post.logout.redirect.uris", CONSOLE_ORIGIN + "/console/*");
            }
        }
        clients.add(supplierTemplate(source));
        ArrayNode users = (ArrayNode) realm.get("users");
        for (Iterator<JsonNode> it = users.iterator(); it.hasNext(); ) {
            JsonNode user = it.next();
            JsonNode owner = user.get("serviceAccountClientId");
            if (user.has("credentials") || (owner != null && DROPPED_CLIENTS.contains(owner.asString()))) {
                it.remove();
            }
        }
        ObjectNode account = users.addObject(); // the template's service account holds the supplier role
        account.put("username", "service-account-" + SUPPLIER_TEMPLATE);
        account.put("enabled", true);
        account.put("serviceAccountClientId", SUPPLIER_TEMPLATE);
        account.putArray("realmRoles").add("default-roles-neogend").add("supplier");
        return realm;
    }

    static final String SUPPLIER_TEMPLATE = "supplier-template";

    /** The demo supplier's client, made a private_key_jwt client with a JWKS URL, disabled. */
    private static ObjectNode supplierTemplate(ObjectNode source) {
        ObjectNode demo = null;
        for (JsonNode client : source.get("clients")) {
            if (client.get("clientId").asString().equals("supplier-demo")) {
                demo = (ObjectNode) client.deepCopy();
            }
        }
        if (demo == null) {
            throw new IllegalStateException("the repo realm has no supplier-demo client to model suppliers on");
        }
        demo.put("clientId", SUPPLIER_TEMPLATE);
        demo.put("name", "Supplier (model: copy per supplier, set its id, JWKS URL and supplier_id)");
        demo.put(
                "description",
                "Client credentials signed with the supplier's own key (private_key_jwt); keys from its JWKS URL");
        demo.put("enabled", false);
        demo.remove("secret");
        demo.put("clientAuthenticatorType", "client-jwt");
        ObjectNode attributes = demo.putObject("attributes");
        attributes.put("use.jwks.url", "true");
        attributes.put("jwks.url", "https://supplier.example.org/.well-known/jwks.json");
        attributes.put("token.endpoint.auth.signing.alg", "RS256");
        for (JsonNode mapper : demo.get("protocolMappers")) {
            if (mapper.get("name").asString().equals("supplier_id")) {
                ((ObjectNode) mapper.get("config")).put("claim.value", "SUP-CHANGE-ME");
            }
        }
        return demo;
    }

    private RealmSanitizer() {}
}
