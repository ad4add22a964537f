package fr.interieur.neogend.kit.grpc;

import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.Descriptors;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import fr.interieur.neogend.common.v1.AccessProto;
import fr.interieur.neogend.common.v1.AccessRule;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the {@code (neogend.common.v1.access)} option of an RPC from its proto descriptor, so the
 * proto is the one place that says who may call what. Cached per method.
 */
public final class AccessRules {

    private static final ExtensionRegistry REGISTRY = ExtensionRegistry.newInstance();

    static {
        AccessProto.registerAllExtensions(REGISTRY);
    }

    private final Map<String, Optional<AccessRule>> cache = new ConcurrentHashMap<>();

    /** The rule of a method, empty when it has none (and must then be refused). */
    public Optional<AccessRule> ruleOf(MethodDescriptor<?, ?> method) {
        return cache.computeIfAbsent(method.getFullMethodName(), name -> read(method));
    }

    /** The rule of a method given its proto descriptor. */
    public static Optional<AccessRule> ruleOf(Descriptors.MethodDescriptor method) {
        MethodOptions options = method.getOptions();
        if (options.hasExtension(AccessProto.access)) {
            return Optional.of(options.getExtension(AccessProto.access));
        }
        try { // options parsed before the extension was known arrive as unknown fields
            MethodOptions reparsed = MethodOptions.parseFrom(options.toByteString(), REGISTRY);
            return reparsed.hasExtension(AccessProto.access)
                    ? Optional.of(reparsed.getExtension(AccessProto.access))
                    : Optional.empty();
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
    }

    private static Optional<AccessRule> read(MethodDescriptor<?, ?> method) {
        if (method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier) {
            return ruleOf(supplier.getMethodDescriptor());
        }
        return Optional.empty();
    }
}
