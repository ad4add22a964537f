package fr.interieur.neogend.gateway.transcoding;

import com.google.protobuf.Descriptors.MethodDescriptor;

/**
 * One REST binding of an RPC, from its {@code google.api.http} rule.
 *
 * @param httpMethod   GET, POST, PUT, PATCH or DELETE
 * @param template     the path template
 * @param body         "" (no body), "*" (the whole request) or the request field the body fills
 * @param responseBody "" (the whole response) or the response field returned
 * @param method       the RPC
 * @param backend      the service that serves it (from the proto package neogend.<backend>.v1)
 * @param roles        the realm roles its access rule names (the service enforces them; the gateway
 *                     only needs to know which routes devices call with their own credential)
 */
public record TranscodingRoute(
        String httpMethod,
        PathTemplate template,
        String body,
        String responseBody,
        MethodDescriptor method,
        String backend,
        java.util.Set<String> roles) {

    /** The realm role of devices, given only by a device credential. */
    public static final String DEVICE = "device";

    public TranscodingRoute {
        roles = java.util.Set.copyOf(roles);
    }

    /** Whether the RPC streams its answer: a download written to the client chunk by chunk. */
    public boolean streamed() {
        return method.isServerStreaming();
    }

    /**
     * Whether it answers JSON: not a file (a {@code google.api.HttpBody} response or {@code response_body}
     * field, whose type the service chooses: a CSV download, say).
     */
    public boolean answersJson() {
        var type = method.getOutputType();
        if (!responseBody.isEmpty()) {
            try {
                var path = FieldPaths.resolve(type, responseBody);
                var field = path.get(path.size() - 1);
                if (field.getJavaType() != com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE) {
                    return true;
                }
                type = field.getMessageType();
            } catch (RuntimeException unresolved) {
                return false; // its answer is not known here: never refused for its Accept
            }
        }
        return !type.getFullName().equals("google.api.HttpBody");
    }

    /** Whether devices call it, with their own credential ({@code Authorization: Device …}). */
    public boolean forDevices() {
        return roles.contains(DEVICE);
    }
}
