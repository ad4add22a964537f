package fr.interieur.neogend.gateway.transcoding;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Field paths ({@code device.imei} or JSON names {@code device.serialNumber}) resolved on a
 * message type, and string values from paths or query strings converted to field values.
 */
public final class FieldPaths {

    private FieldPaths() {}

    /** The fields along a dotted path; IllegalArgumentException if a name is unknown. */
    public static List<FieldDescriptor> resolve(Descriptor type, String path) {
        if (path.isEmpty() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new IllegalArgumentException("'" + path + "' has an empty field name");
        }
        List<FieldDescriptor> fields = new ArrayList<>();
        Descriptor current = type;
        String[] names = path.split("\\.");
        for (int i = 0; i < names.length; i++) {
            if (current == null) {
                throw new IllegalArgumentException("'" + path + "' goes through a non-message field");
            }
            FieldDescriptor f = field(current, names[i]);
            if (f == null) {
                throw new IllegalArgumentException("no field '" + names[i] + "' in " + current.getFullName());
            }
            fields.add(f);
            current = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && i < names.length - 1
                    ? f.getMessageType()
                    : null;
        }
        return fields;
    }

    private static FieldDescriptor field(Descriptor type, String name) {
        FieldDescriptor f = type.findFieldByName(name);
        if (f != null) {
            return f;
        }
        for (FieldDescriptor candidate : type.getFields()) {
            if (candidate.getJsonName().equals(name)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Sets (or, for repeated fields, adds) a value given as text at {@code path} of the builder.
     *
     * @param label the name shown in error messages
     */
    public static void set(DynamicMessage.Builder root, String path, String text, String label) {
        List<FieldDescriptor> fields;
        try {
            fields = resolve(root.getDescriptorForType(), path);
        } catch (IllegalArgumentException e) {
            throw TranscodingException.badField(label, "is not a parameter of this operation");
        }
        Message.Builder builder = root;
        for (int i = 0; i < fields.size() - 1; i++) {
            FieldDescriptor f = fields.get(i);
            if (f.isRepeated()) {
                throw TranscodingException.badField(label, "cannot be set from a path or query parameter");
            }
            builder = builder.getFieldBuilder(f);
        }
        FieldDescriptor leaf = fields.get(fields.size() - 1);
        Object value = convert(leaf, text, label);
        if (leaf.isRepeated()) {
            builder.addRepeatedField(leaf, value);
        } else {
            builder.setField(leaf, value);
        }
    }

    /** An integer as JSON writes it (leading zeros allowed): ASCII digits, an optional minus. */
    private static final java.util.regex.Pattern INTEGER = java.util.regex.Pattern.compile("-?[0-9]+");

    /**
     * A number as JSON writes it, or proto3 JSON's NaN and infinities (which the request rules then refuse,
     * naming the field): never Java's own forms — {@code 48.1d}, {@code 0x1.8p5}, spaces around it.
     */
    private static final java.util.regex.Pattern NUMBER =
            java.util.regex.Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?|NaN|-?Infinity");

    /**
     * A number of a path or query parameter, written as in a JSON body: Java's parsers also read other
     * scripts' digits ({@code ５}, {@code ٣}), a plus sign, type suffixes and hexadecimal doubles.
     */
    private static String asJsonWritesIt(String text, java.util.regex.Pattern shape) {
        if (!shape.matcher(text).matches()) {
            throw new NumberFormatException();
        }
        return text;
    }

    private static Object convert(FieldDescriptor f, String text, String label) {
        try {
            return switch (f.getJavaType()) {
                case STRING -> text;
                case INT -> Integer.parseInt(asJsonWritesIt(text, INTEGER));
                case LONG -> Long.parseLong(asJsonWritesIt(text, INTEGER));
                case FLOAT -> Float.parseFloat(asJsonWritesIt(text, NUMBER));
                case DOUBLE -> Double.parseDouble(asJsonWritesIt(text, NUMBER));
                case BOOLEAN ->
                    switch (text.toLowerCase(Locale.ROOT)) {
                        case "true", "1" -> true;
                        case "false", "0" -> false;
                        default -> throw new IllegalArgumentException();
                    };
                case BYTE_STRING ->
                    ByteString.copyFrom(
                            Base64.getUrlDecoder().decode(text.replace('+', '-').replace('/', '_')));
                case ENUM -> enumValue(f.getEnumType(), text, label);
                case MESSAGE -> wellKnown(f.getMessageType(), text, label);
            };
        } catch (NumberFormatException e) {
            throw TranscodingException.badField(label, "must be a number, not " + Echo.quote(text));
        } catch (IllegalArgumentException e) {
            throw TranscodingException.badField(label, "has an invalid value " + Echo.quote(text));
        }
    }

    /** Enum values by full name, by name without the enum's prefix (IN_STOCK), or by number. */
    private static EnumValueDescriptor enumValue(EnumDescriptor type, String text, String label) {
        EnumValueDescriptor v = type.findValueByName(text);
        String prefix = upperSnake(type.getName()) + "_";
        if (v == null) {
            v = type.findValueByName(prefix + text.toUpperCase(Locale.ROOT));
        }
        if (v == null && INTEGER.matcher(text).matches() && text.charAt(0) != '-') {
            v = type.findValueByNumber(Integer.parseInt(text));
        }
        if (v == null || v.getNumber() == 0 && !text.equals(v.getName())) {
            List<String> names = new ArrayList<>();
            type.getValues().stream()
                    .filter(e -> e.getNumber() != 0)
                    .forEach(e -> names.add(
                            e.getName().startsWith(prefix) ? e.getName().substring(prefix.length()) : e.getName()));
            throw TranscodingException.badField(label, "must be one of " + names + ", not " + Echo.quote(text));
        }
        return v;
    }

    private static Object wellKnown(Descriptor type, String text, String label) {
        try {
            return switch (type.getFullName()) {
                case "google.protobuf.Timestamp" ->
                    DynamicMessage.parseFrom(type, Timestamps.parse(text).toByteString());
                case "google.protobuf.Duration" ->
                    DynamicMessage.parseFrom(type, Durations.parse(text).toByteString());
                case "google.type.Date" -> day(type, text, label);
                default -> throw TranscodingException.badField(label, "cannot be set from a path or query parameter");
            };
        } catch (ParseException | com.google.protobuf.InvalidProtocolBufferException e) {
            throw TranscodingException.badField(label, "is not a valid " + type.getName() + ": " + Echo.quote(text));
        }
    }

    private static final java.util.regex.Pattern ISO_DAY =
            java.util.regex.Pattern.compile("([0-9]{4})-([0-9]{2})-([0-9]{2})");

    /**
     * A day in a path or query parameter is written "YYYY-MM-DD"; the service checks that it exists
     * (2026-02-30 is refused there, naming the field, as in a JSON body).
     */
    private static DynamicMessage day(Descriptor type, String text, String label) {
        var m = ISO_DAY.matcher(text);
        if (!m.matches()) {
            throw TranscodingException.badField(label, "must be a day YYYY-MM-DD, not " + Echo.quote(text));
        }
        return DynamicMessage.newBuilder(type)
                .setField(type.findFieldByName("year"), Integer.parseInt(m.group(1)))
                .setField(type.findFieldByName("month"), Integer.parseInt(m.group(2)))
                .setField(type.findFieldByName("day"), Integer.parseInt(m.group(3)))
                .build();
    }

    static String upperSnake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
