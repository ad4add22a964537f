package fr.interieur.neogend.contract;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The descriptor set the proto module packs ({@value #RESOURCE}), built into file descriptors with
 * their imports — as the gateway reads the API, for tools and tests that walk every RPC and field.
 */
public final class ContractDescriptors {

    /** Where the proto module packs its descriptor set (with imports and comments). */
    public static final String RESOURCE = "META-INF/neogend/descriptors.binpb";

    private ContractDescriptors() {}

    /** The descriptor set itself. */
    public static FileDescriptorSet set() {
        try (InputStream in = ContractDescriptors.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            return FileDescriptorSet.parseFrom(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** The NéoGEND files ({@code neogend.*} packages), built with their imports. */
    public static List<FileDescriptor> files() {
        FileDescriptorSet set = set();
        Map<String, FileDescriptorProto> protos = new HashMap<>();
        set.getFileList().forEach(f -> protos.put(f.getName(), f));
        Map<String, FileDescriptor> built = new HashMap<>();
        List<FileDescriptor> out = new ArrayList<>();
        for (FileDescriptorProto proto : set.getFileList()) {
            FileDescriptor file = build(proto.getName(), protos, built);
            if (file.getPackage().startsWith("neogend.")) {
                out.add(file);
            }
        }
        return out;
    }

    private static FileDescriptor build(
            String name, Map<String, FileDescriptorProto> protos, Map<String, FileDescriptor> built) {
        FileDescriptor done = built.get(name);
        if (done != null) {
            return done;
        }
        FileDescriptorProto proto = protos.get(name);
        if (proto == null) {
            throw new IllegalStateException("descriptor set lacks " + name);
        }
        List<FileDescriptor> deps = new ArrayList<>();
        for (String dep : proto.getDependencyList()) {
            deps.add(build(dep, protos, built));
        }
        try {
            FileDescriptor file = FileDescriptor.buildFrom(proto, deps.toArray(FileDescriptor[]::new));
            built.put(name, file);
            return file;
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException("invalid descriptor " + name, e);
        }
    }
}
