package fr.interieur.neogend.proto;

import com.google.api.FieldBehavior;
import com.google.api.FieldBehaviorProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import fr.interieur.neogend.common.v1.AccessProto;
import fr.interieur.neogend.common.v1.FieldRules;
import fr.interieur.neogend.contract.ContractDescriptors;
import fr.interieur.neogend.contract.RequestRules;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract style of STYLE.md, checked on the descriptor set the build produces (buf's STANDARD
 * rules where they matter to us): packages match folders, services end in Service, one
 * VerbNounRequest/Response per RPC, enum zero values are *_UNSPECIFIED and every value carries
 * the enum's prefix, every element has a comment, and every RPC says who may call it.
 */
class ProtoLintTest {

    private static final int MESSAGE = 4;
    private static final int ENUM = 5;
    private static final int SERVICE = 6;
    private static final int FIELD = 2;
    private static final int ENUM_VALUE = 2;
    private static final int METHOD = 2;

    @Test
    void contractsFollowTheStyleGuide() throws Exception {
        FileDescriptorSet set;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/neogend/descriptors.binpb")) {
            assertThat(in).as("descriptor set built by the proto module").isNotNull();
            set = FileDescriptorSet.parseFrom(in);
        }
        ExtensionRegistry registry = ExtensionRegistry.newInstance();
        AccessProto.registerAllExtensions(registry);
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (FileDescriptorProto file : set.getFileList()) {
            if (!file.getName().startsWith("neogend/")) {
                continue;
            }
            checked++;
            String folder = file.getName().substring(0, file.getName().lastIndexOf('/'));
            if (!file.getPackage().equals(folder.replace('/', '.'))) {
                problems.add(file.getName() + ": package " + file.getPackage() + " does not match its folder");
            }
            if (!file.getOptions().getJavaMultipleFiles()) {
                problems.add(file.getName() + ": java_multiple_files must be true");
            }
            Set<String> commented = commentedPaths(file.getSourceCodeInfo());
            for (int m = 0; m < file.getMessageTypeCount(); m++) {
                DescriptorProto message = file.getMessageType(m);
                need(commented, problems, file, "message " + message.getName(), MESSAGE, m);
                for (int f = 0; f < message.getFieldCount(); f++) {
                    need(
                            commented,
                            problems,
                            file,
                            "field " + message.getName() + "."
                                    + message.getField(f).getName(),
                            MESSAGE,
                            m,
                            FIELD,
                            f);
                }
            }
            for (int e = 0; e < file.getEnumTypeCount(); e++) {
                EnumDescriptorProto en = file.getEnumType(e);
                need(commented, problems, file, "enum " + en.getName(), ENUM, e);
                String prefix =
                        en.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT) + "_";
                for (int v = 0; v < en.getValueCount(); v++) {
                    var value = en.getValue(v);
                    need(commented, problems, file, "enum value " + value.getName(), ENUM, e, ENUM_VALUE, v);
                    if (!value.getName().startsWith(prefix)) {
                        problems.add(file.getName() + ": " + value.getName() + " lacks the prefix " + prefix);
                    }
                    if (value.getNumber() == 0 && !value.getName().equals(prefix + "UNSPECIFIED")) {
                        problems.add(file.getName() + ": the zero value of " + en.getName() + " must be " + prefix
                                + "UNSPECIFIED");
                    }
                }
            }
            for (int s = 0; s < file.getServiceCount(); s++) {
                ServiceDescriptorProto service = file.getService(s);
                need(commented, problems, file, "service " + service.getName(), SERVICE, s);
                if (!service.getName().endsWith("Service")) {
                    problems.add(file.getName() + ": service " + service.getName() + " must end in Service");
                }
                for (int r = 0; r < service.getMethodCount(); r++) {
                    MethodDescriptorProto rpc = service.getMethod(r);
                    need(commented, problems, file, "rpc " + rpc.getName(), SERVICE, s, METHOD, r);
                    String pkg = "." + file.getPackage() + ".";
                    if (!rpc.getInputType().equals(pkg + rpc.getName() + "Request")) {
                        problems.add(file.getName() + ": " + rpc.getName() + " must take " + rpc.getName() + "Request");
                    }
                    if (!rpc.getOutputType().equals(pkg + rpc.getName() + "Response")) {
                        problems.add(
                                file.getName() + ": " + rpc.getName() + " must return " + rpc.getName() + "Response");
                    }
                    MethodOptions options =
                            MethodOptions.parseFrom(rpc.getOptions().toByteString(), registry);
                    if (!options.hasExtension(AccessProto.access)
                            || options.getExtension(AccessProto.access).getRolesCount() == 0) {
                        problems.add(file.getName() + ": " + rpc.getName()
                                + " has no (neogend.common.v1.access) rule: nobody could call it");
                    }
                }
            }
        }
        assertThat(checked).as("NéoGEND proto files found").isGreaterThanOrEqualTo(10);
        assertThat(problems).isEmpty();
    }

    /**
     * Every field a request can set carries its limits (neogend.common.v1.field): strings a length
     * (or a decimal or date shape), lists a count, integers a least value. Output-only fields are
     * refused in requests anyway and need none.
     */
    @Test
    void everyFieldARequestCanSetDeclaresItsLimits() throws Exception {
        List<String> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int checked = 0;
        for (FileDescriptor file : ContractDescriptors.files()) {
            for (ServiceDescriptor service : file.getServices()) {
                for (MethodDescriptor method : service.getMethods()) {
                    checked += inputFields(method.getInputType(), seen, problems);
                }
            }
        }
        assertThat(checked).as("request fields checked").isGreaterThan(150);
        assertThat(problems).isEmpty();
    }

    /**
     * One contract style (ADR 0019): a closed set of values is an enum and a calendar day a
     * {@code google.type.Date}, never text. A {@code string} field named like a state, a kind, a
     * category, a command or a date is refused; {@link #STILL_TEXT} lists the fields the cut has
     * not reached yet, and shrinks to nothing.
     */
    @Test
    void enumsAndDatesAreTypedNotText() {
        List<String> problems = new ArrayList<>();
        Set<String> stillText = new HashSet<>();
        for (FileDescriptor file : ContractDescriptors.files()) {
            for (Descriptor message : file.getMessageTypes()) {
                for (String field : textThatShouldBeTyped(message)) {
                    if (STILL_TEXT.contains(field)) {
                        stillText.add(field);
                    } else {
                        problems.add(
                                field + ": a closed set of values is an enum, a day a google.type.Date, an instant a"
                                        + " google.protobuf.Timestamp");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(stillText)
                .as("fields listed as still text that are text no more: take them off the list")
                .containsExactlyInAnyOrderElementsOf(STILL_TEXT);
    }

    @Test
    void theTypedFieldRuleCatchesAPlantedTextStatus() throws Exception {
        var planted = FileDescriptorProto.newBuilder()
                .setName("planted.proto")
                .setPackage("neogend.planted")
                .addMessageType(DescriptorProto.newBuilder()
                        .setName("Planted")
                        .addField(text("status", 1))
                        .addField(text("start_date", 2))
                        .addField(text("pack_type", 3))
                        .addField(text("command", 4))
                        .addField(text("place", 5))
                        .addField(text("date", 6))
                        .addField(text("raise_time", 7))
                        .addField(text("issued_on", 8))
                        .addField(text("security_patch_level", 9))
                        .addField(text("sessions_on_site", 10)))
                .build();
        Descriptor message =
                FileDescriptor.buildFrom(planted, new FileDescriptor[0]).findMessageTypeByName("Planted");
        assertThat(textThatShouldBeTyped(message))
                .containsExactly(
                        "neogend.planted.Planted.status",
                        "neogend.planted.Planted.start_date",
                        "neogend.planted.Planted.pack_type",
                        "neogend.planted.Planted.command",
                        "neogend.planted.Planted.date",
                        "neogend.planted.Planted.raise_time",
                        "neogend.planted.Planted.issued_on");
    }

    private static com.google.protobuf.DescriptorProtos.FieldDescriptorProto text(String name, int number) {
        return com.google.protobuf.DescriptorProtos.FieldDescriptorProto.newBuilder()
                .setName(name)
                .setNumber(number)
                .setType(com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_STRING)
                .build();
    }

    private static final java.util.regex.Pattern TYPED_NAME = java.util.regex.Pattern.compile(
            "(.*_)?(status|kind|state|category|date|type|command)|.*_(time|on|until" + "|on_or_after|on_or_before)");

    /**
     * Android's security patch level stays the text the device reads from {@code ro.build.version.security_patch}
     * and reports verbatim: a device's agent must not re-encode it, and the platform compares it as it was sent.
     */
    private static final java.util.regex.Pattern ANDROID_TEXT = java.util.regex.Pattern.compile("security_patch_level");

    /** The string fields of a message and its nested messages whose name says they hold a closed set or a day. */
    static List<String> textThatShouldBeTyped(Descriptor message) {
        List<String> found = new ArrayList<>();
        for (FieldDescriptor f : message.getFields()) {
            boolean day = RequestRules.rulesOf(f).getCalendarDate();
            if (f.getJavaType() == FieldDescriptor.JavaType.STRING
                    && !ANDROID_TEXT.matcher(f.getName()).matches()
                    && (day || TYPED_NAME.matcher(f.getName()).matches())) {
                found.add(f.getFullName());
            }
        }
        for (Descriptor nested : message.getNestedTypes()) {
            found.addAll(textThatShouldBeTyped(nested));
        }
        return found;
    }

    /** Text fields the contract cut has not reached yet (none once it is done). */
    private static final Set<String> STILL_TEXT = Set.of();

    private static int inputFields(Descriptor type, Set<String> seen, List<String> problems) {
        if (!type.getFullName().startsWith("neogend.") || !seen.add(type.getFullName())) {
            return 0;
        }
        int checked = 0;
        for (FieldDescriptor f : type.getFields()) {
            if (outputOnly(f)) {
                continue;
            }
            checked++;
            FieldRules rules = RequestRules.rulesOf(f);
            String name = f.getFullName();
            if (f.isRepeated() && rules.getMaxItems() == 0) {
                problems.add(name + ": a repeated field needs max_items");
            }
            switch (f.getJavaType()) {
                case STRING -> {
                    if (rules.getMaxLength() == 0 && !rules.hasDecimal() && !rules.getCalendarDate()) {
                        problems.add(name + ": a string field needs max_length (or a decimal or date shape)");
                    }
                }
                case INT, LONG -> {
                    if (!rules.hasMin()) {
                        problems.add(name + ": an integer field needs min");
                    }
                }
                case MESSAGE -> checked += inputFields(f.getMessageType(), seen, problems);
                default -> {
                    // booleans, enums, floating point: checked without declarations
                }
            }
            if (rules.hasDecimal() && f.getJavaType() != FieldDescriptor.JavaType.STRING) {
                problems.add(name + ": a decimal shape applies to strings only");
            }
        }
        return checked;
    }

    private static boolean outputOnly(FieldDescriptor f) {
        try {
            FieldOptions options = FieldOptions.parseFrom(f.getOptions().toByteString(), FIELD_BEHAVIOR);
            return options.getExtension(FieldBehaviorProto.fieldBehavior).contains(FieldBehavior.OUTPUT_ONLY);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ExtensionRegistry FIELD_BEHAVIOR = fieldBehaviour();

    private static ExtensionRegistry fieldBehaviour() {
        ExtensionRegistry registry = ExtensionRegistry.newInstance();
        FieldBehaviorProto.registerAllExtensions(registry);
        return registry;
    }

    private static Set<String> commentedPaths(SourceCodeInfo info) {
        Set<String> paths = new HashSet<>();
        for (SourceCodeInfo.Location location : info.getLocationList()) {
            if (!location.getLeadingComments().isBlank()
                    || !location.getTrailingComments().isBlank()) {
                paths.add(location.getPathList().stream().map(String::valueOf).collect(Collectors.joining(".")));
            }
        }
        return paths;
    }

    private static void need(
            Set<String> commented, List<String> problems, FileDescriptorProto file, String what, int... path) {
        String key = java.util.Arrays.stream(path).mapToObj(String::valueOf).collect(Collectors.joining("."));
        if (!commented.contains(key)) {
            problems.add(file.getName() + ": " + what + " has no comment");
        }
    }
}
