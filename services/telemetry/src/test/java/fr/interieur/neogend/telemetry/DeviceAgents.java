package fr.interieur.neogend.telemetry;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/** What a device agent sends with each call: its own credential, as the gateway passes it on. */
final class DeviceAgents {

    private DeviceAgents() {}

    /** Attaches {@code Authorization: Device <credential>} to every call of a stub. */
    static ClientInterceptor credential(String credential) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Device " + credential);
        return MetadataUtils.newAttachHeadersInterceptor(m);
    }
}
