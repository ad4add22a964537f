package fr.interieur.neogend.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every table has one owner (issue 19): the SQL statements that write a table ({@code insert into},
 * {@code update}, {@code delete from}, {@code merge into}, {@code truncate}) appear in one source file,
 * and that file is a persistence adapter. Other adapters may read the table (joins), never write it.
 * Read from the service's sources, so a statement built from text blocks and strings is seen as written.
 */
public final class TableOwners {

    private static final Pattern WRITE =
            Pattern.compile("(?i)\\b(?:insert\\s+into|update|delete\\s+from|merge\\s+into|truncate(?:\\s+table)?)\\s+"
                    + "(?:only\\s+)?([a-z_][a-z0-9_]*)\\b");
    /** Words that follow "update" in Java or SQL without naming a table. */
    private static final Set<String> NOT_TABLES = Set.of(
            "set",
            "the",
            "of",
            "a",
            "an",
            "it",
            "its",
            "on",
            "or",
            "and",
            "to",
            "is",
            "in",
            "when",
            "with",
            "from",
            "only",
            "every",
            "one",
            "this",
            "that",
            "each",
            "for",
            "nothing",
            "skip",
            "do",
            "state",
            "no",
            "returning",
            "where",
            "as",
            "at",
            "be",
            "by",
            "all");

    private TableOwners() {}

    /** Table → the files (relative to {@code mainJava}) whose string literals write it. */
    public static Map<String, Set<String>> writers(Path mainJava) {
        Map<String, Set<String>> writers = new TreeMap<>();
        try (Stream<Path> files = Files.walk(mainJava)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                for (String literal : literals(Files.readString(file))) {
                    Matcher m = WRITE.matcher(literal);
                    while (m.find()) {
                        String table = m.group(1).toLowerCase(java.util.Locale.ROOT);
                        if (!NOT_TABLES.contains(table)) {
                            writers.computeIfAbsent(table, k -> new TreeSet<>())
                                    .add(mainJava.relativize(file).toString().replace('\\', '/'));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return writers;
    }

    /** Fails naming every table written from more than one file, or from a file outside a persistence package. */
    public static void check(Path mainJava) {
        List<String> problems = new ArrayList<>();
        writers(mainJava).forEach((table, files) -> {
            if (files.size() > 1) {
                problems.add(table + " is written by " + files.size() + " files: " + files);
            }
            files.stream()
                    .filter(f -> !f.contains("/persistence/"))
                    .forEach(f -> problems.add(table + " is written outside a persistence adapter, by " + f));
        });
        if (!problems.isEmpty()) {
            throw new AssertionError(
                    "every table has one owner, a persistence adapter (issue 19):\n  " + String.join("\n  ", problems));
        }
    }

    /** The string literals and text blocks of a Java source (comments are not literals). */
    static List<String> literals(String source) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                i = source.indexOf('\n', i);
                if (i < 0) {
                    break;
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end;
                out.add(source.substring(i + 3, end));
                i = end + 3;
            } else if (c == '"') {
                StringBuilder s = new StringBuilder();
                i++;
                while (i < n && source.charAt(i) != '"' && source.charAt(i) != '\n') {
                    if (source.charAt(i) == '\\' && i + 1 < n) {
                        s.append(source.charAt(i + 1));
                        i += 2;
                    } else {
                        s.append(source.charAt(i++));
                    }
                }
                out.add(s.toString());
                i++;
            } else if (c == '\'') { // a char literal: '"' must not open a string
                int end = source.indexOf('\'', i + (i + 1 < n && source.charAt(i + 1) == '\\' ? 3 : 2));
                i = end < 0 ? n : end + 1;
            } else {
                i++;
            }
        }
        return out;
    }
}
