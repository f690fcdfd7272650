package dev.wharf.grammar.parser;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;

/**
 * Finds a directive such as {@code syntax} without parsing the Dockerfile: BuildKit's {@code DetectSyntax} and
 * {@code ParseDirective} (directives.go).
 *
 * <p>Stateless and thread-safe. A leading BOM and a {@code #!} shebang line are skipped (the shebang still
 * counts for line numbers). {@link #detectSyntax} also accepts {@code // syntax=} lines and a JSON object
 * with a string {@code "syntax"} member.
 */
public final class SyntaxDetector {

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * A directive found by detection.
     *
     * @param reference the value up to its first space ({@code docker/dockerfile:1})
     * @param cmdline   the whole value
     * @param line      the 1-based line; 0 for the JSON form without a shebang
     */
    public record Found(String reference, String cmdline, int line) {
    }

    private SyntaxDetector() {
    }

    /** The {@code syntax} directive in any of the accepted forms. */
    public static Optional<Found> detectSyntax(String text) {
        return find("syntax", text, true);
    }

    /** The directive {@code key} in the {@code #} form only. */
    public static Optional<Found> parseDirective(String key, String text) {
        return find(key, text, false);
    }

    private static Optional<Found> find(String key, String text, boolean anyFormat) {
        String dt = text.startsWith("\uFEFF") ? text.substring(1) : text;
        int line = 0;
        int nl = dt.indexOf('\n');
        String first = nl < 0 ? dt : dt.substring(0, nl);
        if (first.startsWith("#!")) {
            dt = nl < 0 ? "" : dt.substring(nl + 1);
            line = 1;
        }
        Optional<Found> found = fromParser(key, dt, new DirectiveParser("#", line, "Dockerfile"));
        if (found.isPresent() || !anyFormat) {
            return found;
        }
        found = fromParser(key, dt, new DirectiveParser("//", line, "Dockerfile"));
        if (found.isPresent()) {
            return found;
        }
        return fromJson(key, dt, line);
    }

    private static Optional<Found> fromParser(String key, String text, DirectiveParser parser) {
        for (Directive d : parser.parseAllLenient(text)) {
            if (d.name().equals(key)) {
                int space = d.value().indexOf(' ');
                return Optional.of(new Found(space < 0 ? d.value() : d.value().substring(0, space), d.value(),
                        d.line()));
            }
        }
        return Optional.empty();
    }

    /** json.Unmarshal into map[string]any: the whole text must be one JSON object; the last duplicate wins. */
    private static Optional<Found> fromJson(String key, String text, int line) {
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            String value = null;
            boolean present = false;
            int depth = 1;
            while (depth > 0) {
                JsonToken t = p.nextToken();
                if (t == null) {
                    return Optional.empty();
                }
                if (depth == 1 && t == JsonToken.FIELD_NAME && p.currentName().equals(key)) {
                    JsonToken v = p.nextToken();
                    present = true;
                    value = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    if (v.isStructStart()) {
                        p.skipChildren();
                    }
                    continue;
                }
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd()) {
                    depth--;
                } else if (t.isNumeric() && JsonStrings.overflows(p.getText())) {
                    return Optional.empty();
                }
            }
            if (p.nextToken() != null || !present || value == null) {
                return Optional.empty();
            }
            return Optional.of(new Found(value, value, line));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
