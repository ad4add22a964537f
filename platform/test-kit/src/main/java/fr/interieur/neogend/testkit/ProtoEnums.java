package fr.interieur.neogend.testkit;

/** Contract enum values as tests read them: without the enum's prefix (COMMAND_KIND_LOCK is LOCK). */
public final class ProtoEnums {

    private ProtoEnums() {}

    /** The value's name without its enum's prefix, the upper-snake name of the enum type. */
    public static String shortName(Enum<?> value) {
        String prefix = value.getDeclaringClass()
                        .getSimpleName()
                        .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                        .toUpperCase(java.util.Locale.ROOT)
                + "_";
        String name = value.name();
        return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    }
}
