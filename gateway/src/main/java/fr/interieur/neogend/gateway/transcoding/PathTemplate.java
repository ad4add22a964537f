package fr.interieur.neogend.gateway.transcoding;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code google.api.http} path template ({@code /api/v1/devices/{imei}}, {@code {name=units/*}},
 * {@code **}, custom verbs {@code :assign}) compiled to a regular expression. A single-segment
 * wildcard matches no '/' and no ':', so {@code /x/{id}} never swallows {@code /x/7:verb}.
 */
public final class PathTemplate {

    private static final String SEGMENT = "[^/:]+";
    private static final String SEGMENTS = "[^:]+";
    private static final Pattern FIELD_PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    private final String template;
    private final Pattern regex;
    private final List<String> variables;
    private final int literalLength;
    /** The literal text before the first variable or wildcard: a path without it cannot match. */
    private final String literalPrefix;

    private PathTemplate(String template, Pattern regex, List<String> variables, int literalLength) {
        this.template = template;
        this.regex = regex;
        this.variables = variables;
        this.literalLength = literalLength;
        int open = template.length();
        for (char c : new char[] {'{', '*', ':'}) {
            int at = template.indexOf(c);
            if (at >= 0) {
                open = Math.min(open, at);
            }
        }
        this.literalPrefix = template.substring(0, open);
    }

    /** Parses a template; IllegalArgumentException names what is wrong with it. */
    public static PathTemplate parse(String template) {
        if (template == null || !template.startsWith("/")) {
            throw new IllegalArgumentException("path template must start with '/': " + template);
        }
        StringBuilder re = new StringBuilder("^");
        List<String> variables = new ArrayList<>();
        int literal = 0;
        String path = template;
        String verb = null;
        int lastSlash = template.lastIndexOf('/');
        int colon = template.indexOf(':', lastSlash);
        int brace = template.lastIndexOf('}');
        if (colon > 0 && colon > brace) {
            verb = template.substring(colon + 1);
            path = template.substring(0, colon);
        }
        int i = 1;
        while (i <= path.length()) {
            re.append('/');
            int end;
            if (i < path.length() && path.charAt(i) == '{') {
                int close = path.indexOf('}', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '{' in " + template);
                }
                String inner = path.substring(i + 1, close);
                String name = inner;
                String sub = "*";
                int eq = inner.indexOf('=');
                if (eq >= 0) {
                    name = inner.substring(0, eq);
                    sub = inner.substring(eq + 1);
                }
                if (!FIELD_PATH.matcher(name).matches()) {
                    throw new IllegalArgumentException("bad variable '" + name + "' in " + template);
                }
                re.append("(?<v")
                        .append(variables.size())
                        .append('>')
                        .append(segmentsRegex(sub, template))
                        .append(')');
                variables.add(name);
                end = close + 1;
            } else {
                end = path.indexOf('/', i);
                if (end < 0) {
                    end = path.length();
                }
                String seg = path.substring(i, end);
                re.append(segmentsRegex(seg, template));
                if (!seg.contains("*")) {
                    literal += seg.length();
                }
            }
            if (end < path.length() && path.charAt(end) != '/') {
                throw new IllegalArgumentException("unexpected '" + path.charAt(end) + "' in " + template);
            }
            i = end + 1;
        }
        if (verb != null) {
            re.append(':').append(Pattern.quote(verb));
            literal += verb.length() + 1;
        }
        re.append('$');
        return new PathTemplate(template, Pattern.compile(re.toString()), List.copyOf(variables), literal);
    }

    private static String segmentsRegex(String segments, String template) {
        List<String> parts = new ArrayList<>();
        for (String s : segments.split("/", -1)) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty segment in " + template);
            }
            parts.add(
                    switch (s) {
                        case "*" -> SEGMENT;
                        case "**" -> SEGMENTS;
                        default -> {
                            if (s.contains("{") || s.contains("}") || s.contains("*")) {
                                throw new IllegalArgumentException("bad segment '" + s + "' in " + template);
                            }
                            yield Pattern.quote(s);
                        }
                    });
        }
        return String.join("/", parts);
    }

    /** The variables bound by a matching raw (still percent-encoded) path, or empty. */
    public Optional<Map<String, String>> match(String rawPath) {
        if (!rawPath.startsWith(literalPrefix)) { // most routes are told apart here, without the regex
            return Optional.empty();
        }
        Matcher m = regex.matcher(rawPath);
        if (!m.matches()) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int v = 0; v < variables.size(); v++) {
            try {
                // the variables' groups are the regex's only capturing groups, in order (group v + 1)
                String raw = m.group(v + 1);
                values.put(
                        variables.get(v),
                        URLDecoder.decode(
                                raw.indexOf('+') < 0 ? raw : raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException malformedEscape) { // "%zz": no operation lives there
                return Optional.empty();
            }
        }
        return Optional.of(values);
    }

    /** The field paths this template binds. */
    public List<String> variables() {
        return variables;
    }

    /** Literal characters: more literal means more specific, and is tried first. */
    public int specificity() {
        return literalLength;
    }

    @Override
    public String toString() {
        return template;
    }
}
