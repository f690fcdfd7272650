package dev.wharf.grammar.instructions;

import dev.wharf.grammar.DockerfileException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV record the way tonistiigi/go-csvvalue does for {@code RUN --mount} and {@code --device}
 * values: comma-separated fields, a field that starts with {@code "} is quoted ({@code ""} is a quote), a quote
 * anywhere else is an error. Error texts are those of Go's {@code encoding/csv.ParseError}.
 *
 * <p>Stateless and thread-safe.
 */
final class Csv {

    private static final String BARE_QUOTE = "bare \" in non-quoted-field";
    private static final String QUOTE = "extraneous or missing \" in quoted-field";

    private Csv() {
    }

    /** The fields of {@code line}; an unlocated error on malformed input ({@code EOF} for an empty value). */
    static List<String> fields(String line) throws DockerfileException {
        String s = line;
        if (s.endsWith("\r\n")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw Errors.unlocated("EOF");
        }
        List<String> fields = new ArrayList<>();
        int pos = 0;
        while (true) {
            if (pos >= s.length() || s.charAt(pos) != '"') {
                int comma = s.indexOf(',', pos);
                String field = comma >= 0 ? s.substring(pos, comma) : s.substring(pos);
                int quote = field.indexOf('"');
                if (quote >= 0) {
                    throw parseError(s, pos + quote, BARE_QUOTE);
                }
                fields.add(field);
                if (comma < 0) {
                    return fields;
                }
                pos = comma + 1;
                continue;
            }
            // quoted field
            pos++;
            StringBuilder field = new StringBuilder();
            while (true) {
                int quote = s.indexOf('"', pos);
                if (quote < 0) {
                    throw parseError(s, pos, QUOTE);
                }
                field.append(s, pos, quote);
                pos = quote + 1;
                if (pos < s.length() && s.charAt(pos) == '"') {
                    field.append('"');
                    pos++;
                } else if (pos < s.length() && s.charAt(pos) == ',') {
                    fields.add(field.toString());
                    pos++;
                    break;
                } else if (pos >= s.length()) {
                    fields.add(field.toString());
                    return fields;
                } else {
                    throw parseError(s, pos - 1, QUOTE);
                }
            }
        }
    }

    /** Go reports a 1-based byte column. */
    private static DockerfileException parseError(String s, int charIndex, String what) {
        int column = s.substring(0, charIndex).getBytes(StandardCharsets.UTF_8).length + 1;
        return Errors.unlocated("parse error on line 1, column " + column + ": " + what);
    }
}
