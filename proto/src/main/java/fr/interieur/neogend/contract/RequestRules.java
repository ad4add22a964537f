package fr.interieur.neogend.contract;

import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import fr.interieur.neogend.common.v1.DecimalRule;
import fr.interieur.neogend.common.v1.FieldRules;
import fr.interieur.neogend.common.v1.RulesProto;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a request message against the {@code (neogend.common.v1.field)} rules of its fields, at
 * any depth: string lengths, control characters, decimal and date shapes, integer ranges, list
 * sizes; and, for every field whatever its rules, finite floating-point numbers, known enum values,
 * real calendar dates and valid timestamps. The same code runs in the gateway (REST) and in every
 * service (gRPC), so both doors have the same limits.
 *
 * <p>Nothing here throws on any input and no description repeats what the caller sent: a
 * refusal names the field, says what is wrong and, for a long text, how long it was.
 */
public final class RequestRules {

    /** One bad field and why. */
    public record Violation(String field, String description) {}

    /** Violations collected at most (a reply carries them in 8 KiB of gRPC trailers). */
    public static final int MAX_VIOLATIONS = 20;
    /** Characters of a string field that declares no length (output-only fields, foreign types). */
    public static final int DEFAULT_MAX_LENGTH = 4096;
    /** Items of a repeated field that declares no count. */
    public static final int DEFAULT_MAX_ITEMS = 1000;

    private static final ExtensionRegistry REGISTRY = registry();
    private static final Map<Descriptor, FieldDescriptor[]> FIELDS = new ConcurrentHashMap<>();
    private static final Map<FieldDescriptor, FieldRules> RULES = new ConcurrentHashMap<>();
    private static final Map<FieldDescriptor, Decimals.Shape> SHAPES = new ConcurrentHashMap<>();

    private RequestRules() {}

    /** Every violation of a request, at most {@link #MAX_VIOLATIONS}; empty when it is sound. */
    public static List<Violation> check(Message request) {
        return check(request, "");
    }

    /**
     * The violations of one message found at {@code prefix} (e.g. "readings[3].") — for a service
     * judging the items of a list one by one.
     */
    public static List<Violation> check(Message message, String prefix) {
        return report(message, prefix).violations();
    }

    /** The first violations (at most {@link #MAX_VIOLATIONS}) and how many there are in all. */
    public record Report(List<Violation> violations, int total) {}

    /** Every violation of a request counted, the first {@link #MAX_VIOLATIONS} kept. */
    public static Report report(Message request) {
        return report(request, "");
    }

    private static Report report(Message message, String prefix) {
        Found found = new Found();
        walk(message, prefix, found);
        return new Report(found.kept, found.total);
    }

    /** Violations as they are found: the first ones kept, all counted. */
    private static final class Found {
        final List<Violation> kept = new ArrayList<>(0);
        int total;

        void add(Violation v) {
            total++;
            if (kept.size() < MAX_VIOLATIONS) {
                kept.add(v);
            }
        }
    }

    /** The rules declared on a field (the default instance when none are). */
    public static FieldRules rulesOf(FieldDescriptor field) {
        return RULES.computeIfAbsent(field, RequestRules::readRules);
    }

    /** The decimal shape a field declares, or null. */
    public static Decimals.Shape shapeOf(FieldDescriptor field) {
        FieldRules rules = rulesOf(field);
        if (!rules.hasDecimal()) {
            return null;
        }
        return SHAPES.computeIfAbsent(field, f -> {
            DecimalRule d = rules.getDecimal();
            return new Decimals.Shape(d.getIntegerDigits(), d.getFractionDigits(), d.getSigned());
        });
    }

    private static void walk(Message message, String prefix, Found out) {
        Descriptor type = message.getDescriptorForType();
        switch (type.getFullName()) {
            case "google.type.Date" -> {
                date(message, prefix, out);
                return;
            }
            case "google.protobuf.Timestamp" -> {
                timestamp(message, prefix, out);
                return;
            }
            default -> {
                // fields below
            }
        }
        for (FieldDescriptor f : FIELDS.computeIfAbsent(type, t -> t.getFields().toArray(FieldDescriptor[]::new))) {
            if (f.isRepeated()) {
                int count = message.getRepeatedFieldCount(f);
                if (count == 0) {
                    continue;
                }
                FieldRules rules = rulesOf(f);
                int maxItems = rules.getMaxItems() > 0 ? rules.getMaxItems() : DEFAULT_MAX_ITEMS;
                if (count > maxItems) {
                    out.add(new Violation(
                            path(prefix, f), "has " + count + " items; at most " + maxItems + " are allowed"));
                    continue;
                }
                if (rules.getItemsJudgedByService()) {
                    continue;
                }
                for (int i = 0; i < count; i++) {
                    value(f, message.getRepeatedField(f, i), prefix, i, out);
                }
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (message.hasField(f)) {
                    value(f, message.getField(f), prefix, -1, out);
                }
            } else {
                value(f, message.getField(f), prefix, -1, out);
            }
        }
    }

    private static String path(String prefix, FieldDescriptor f) {
        return prefix + f.getName();
    }

    /** A field's path, built only when it is needed (a violation, a nested message): the walk of a sound message allocates none. */
    private static String path(String prefix, FieldDescriptor f, int index) {
        return index < 0 ? path(prefix, f) : path(prefix, f) + "[" + index + "]";
    }

    private static void value(FieldDescriptor f, Object value, String prefix, int index, Found out) {
        switch (f.getJavaType()) {
            case STRING -> {
                String problem = textProblem((String) value, f);
                if (problem != null) {
                    out.add(new Violation(path(prefix, f, index), problem));
                }
            }
            case INT, LONG -> {
                long v = ((Number) value).longValue();
                if (f.getType() == FieldDescriptor.Type.UINT64 || f.getType() == FieldDescriptor.Type.FIXED64) {
                    if (v < 0) { // beyond Long.MAX_VALUE as unsigned: no rule of ours allows it
                        out.add(new Violation(path(prefix, f, index), "is too large"));
                        return;
                    }
                }
                FieldRules rules = rulesOf(f);
                if (rules.hasMin() && v < rules.getMin()) {
                    out.add(new Violation(
                            path(prefix, f, index),
                            rules.getMin() == 0 ? "must not be negative" : "must be at least " + rules.getMin()));
                } else if (rules.hasMax() && v > rules.getMax()) {
                    out.add(new Violation(path(prefix, f, index), "must be at most " + rules.getMax()));
                }
            }
            case FLOAT, DOUBLE -> {
                double v = ((Number) value).doubleValue();
                if (Double.isNaN(v) || Double.isInfinite(v)) {
                    out.add(new Violation(path(prefix, f, index), "must be a finite number"));
                }
            }
            case ENUM -> {
                EnumValueDescriptor v = (EnumValueDescriptor) value;
                if (v.getType().findValueByNumber(v.getNumber()) == null) {
                    out.add(new Violation(
                            path(prefix, f, index),
                            "is not one of the values of " + v.getType().getName()));
                }
            }
            case MESSAGE -> walk((Message) value, path(prefix, f, index) + ".", out);
            case BOOLEAN, BYTE_STRING -> {
                // nothing to check
            }
        }
    }

    /** Why a string field's value is refused, or null. Never repeats the value. */
    public static String textProblem(String text, FieldDescriptor f) {
        if (text.isEmpty()) {
            return null;
        }
        FieldRules rules = rulesOf(f);
        int max = rules.getMaxLength() > 0
                ? rules.getMaxLength()
                : rules.hasDecimal() || rules.getCalendarDate() ? 64 : DEFAULT_MAX_LENGTH;
        if (text.length() > max) { // UTF-16 units ≥ code points: count those only when it matters
            int codePoints = text.codePointCount(0, text.length());
            if (codePoints > max) {
                return "is " + codePoints + " characters long; at most " + max + " are allowed";
            }
        }
        String chars = characterProblem(text, rules.getMultiline(), rules.getAscii());
        if (chars != null) {
            return chars;
        }
        Decimals.Shape shape = shapeOf(f);
        if (shape != null) {
            return Decimals.problem(text, shape);
        }
        if (rules.getCalendarDate()) {
            return CalendarDates.problem(text);
        }
        return null;
    }

    /**
     * Why a text's characters are refused, or null: control characters (C0, DEL, C1; tab, line feed
     * and carriage return allowed in multiline text), bidirectional embedding, override and isolate
     * controls (U+202A–U+202E, U+2066–U+2069: they make a name, a reason or a CSV cell read otherwise
     * than it is stored), lone surrogates, and — for ASCII fields — anything but printable ASCII.
     */
    public static String characterProblem(String text, boolean multiline, boolean ascii) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
                if (multiline && (c == '\t' || c == '\n' || c == '\r')) {
                    continue;
                }
                return "holds a control character (U+" + String.format("%04X", (int) c) + ") at position " + (i + 1);
            }
            if (c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069) {
                return "holds a bidirectional control character (U+" + String.format("%04X", (int) c) + ") at position "
                        + (i + 1) + ": the text would read otherwise than it is stored";
            }
            if (ascii && c > 0x7e) {
                return "must be printable ASCII; position " + (i + 1) + " is not";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "holds a lone surrogate (not a Unicode character) at position " + (i + 1);
            }
            if (Character.isLowSurrogate(c)) {
                return "holds a lone surrogate (not a Unicode character) at position " + (i + 1);
            }
        }
        return null;
    }

    private static void date(Message date, String prefix, Found out) {
        Descriptor type = date.getDescriptorForType();
        int year = (Integer) date.getField(type.findFieldByName("year"));
        int month = (Integer) date.getField(type.findFieldByName("month"));
        int day = (Integer) date.getField(type.findFieldByName("day"));
        String problem = CalendarDates.problem(year, month, day);
        if (problem != null) {
            out.add(new Violation(field(prefix), problem));
        }
    }

    private static void timestamp(Message ts, String prefix, Found out) {
        Descriptor type = ts.getDescriptorForType();
        long seconds = (Long) ts.getField(type.findFieldByName("seconds"));
        int nanos = (Integer) ts.getField(type.findFieldByName("nanos"));
        // the range google.protobuf.Timestamp allows: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z
        if (seconds < -62_135_596_800L || seconds > 253_402_300_799L || nanos < 0 || nanos > 999_999_999) {
            out.add(new Violation(field(prefix), "is not a time between years 1 and 9999"));
        }
    }

    private static String field(String prefix) {
        return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    /**
     * The rules in a field's options. Descriptors built at run time (the gateway's) keep custom
     * options as unknown fields: the options are read again with the extension registered.
     */
    private static FieldRules readRules(FieldDescriptor f) {
        FieldOptions options = f.getOptions();
        if (options.hasExtension(RulesProto.field)) {
            return options.getExtension(RulesProto.field);
        }
        if (options.getUnknownFields().asMap().isEmpty()) {
            return FieldRules.getDefaultInstance();
        }
        try {
            FieldOptions parsed = FieldOptions.parseFrom(options.toByteString(), REGISTRY);
            return parsed.hasExtension(RulesProto.field)
                    ? parsed.getExtension(RulesProto.field)
                    : FieldRules.getDefaultInstance();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot read the options of " + f.getFullName(), e);
        }
    }

    private static ExtensionRegistry registry() {
        ExtensionRegistry registry = ExtensionRegistry.newInstance();
        RulesProto.registerAllExtensions(registry);
        return registry;
    }
}
