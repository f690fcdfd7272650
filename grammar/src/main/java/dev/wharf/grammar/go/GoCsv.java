package dev.wharf.grammar.go;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of CSV as buildx reads its {@code -o}, {@code --cache-to}, {@code --cache-from}, {@code --secret} and
 * {@code --call} values: tonistiigi/go-csvvalue's {@code Fields} with its default settings, which are Go's
 * {@code encoding/csv} reader's (comma-separated; a field in double quotes may hold commas, and {@code ""} in it is
 * one quote; no space trimming), so {@code type=oci,"annotation.x=a,b"} has two fields. Errors are Go's
 * {@code csv.ParseError} texts. {@link #join} writes fields back as Go's {@code csv.Writer} does.
 *
 * <p>Stateless and thread-safe.
 */
public final class GoCsv {

    private GoCsv() {
    }

    /**
     * The fields of {@code line}. A trailing newline is dropped, as csvvalue does; an empty line is one empty field
     * (csvvalue reports {@code io.EOF}, which buildx's callers never pass it: they skip empty values first).
     *
     * @throws IllegalArgumentException with Go's words, e.g. {@code parse error on line 1, column 3: bare " in
     *                                  non-quoted-field}
     */
    public static List<String> fields(String line) {
        if (line.endsWith("\r\n")) {
            line = line.substring(0, line.length() - 2);
        } else if (line.endsWith("\n")) {
            line = line.substring(0, line.length() - 1);
        }
        List<String> out = new ArrayList<>();
        int pos = 0;
        while (true) {
            if (pos >= line.length() || line.charAt(pos) != '"') {
                int comma = line.indexOf(',', pos);
                String field = comma < 0 ? line.substring(pos) : line.substring(pos, comma);
                int quote = field.indexOf('"');
                if (quote >= 0) {
                    throw error(line, pos + quote, "bare \" in non-quoted-field");
                }
                out.add(field);
                if (comma < 0) {
                    return out;
                }
                pos = comma + 1;
                continue;
            }
            // A quoted field: up to a quote followed by a comma or the end; "" is one quote.
            StringBuilder field = new StringBuilder();
            pos++;
            while (true) {
                int quote = line.indexOf('"', pos);
                if (quote < 0) {
                    throw error(line, pos, "extraneous or missing \" in quoted-field");
                }
                field.append(line, pos, quote);
                pos = quote + 1;
                if (pos < line.length() && line.charAt(pos) == '"') {
                    field.append('"');
                    pos++;
                } else if (pos < line.length() && line.charAt(pos) == ',') {
                    out.add(field.toString());
                    pos++;
                    break;
                } else if (pos == line.length()) {
                    out.add(field.toString());
                    return out;
                } else {
                    throw error(line, pos - 1, "extraneous or missing \" in quoted-field");
                }
            }
        }
    }

    /** {@code fields} as one CSV line, each quoted only when Go's {@code csv.Writer} would quote it. */
    public static String join(List<String> fields) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            String field = fields.get(i);
            if (i > 0) {
                out.append(',');
            }
            if (needsQuotes(field)) {
                out.append('"').append(field.replace("\"", "\"\"")).append('"');
            } else {
                out.append(field);
            }
        }
        return out.toString();
    }

    /** encoding/csv Writer.fieldNeedsQuotes with the default comma. */
    private static boolean needsQuotes(String field) {
        if (field.isEmpty()) {
            return false;
        }
        if (field.equals("\\.")) {
            return true;
        }
        if (field.indexOf(',') >= 0 || field.indexOf('"') >= 0 || field.indexOf('\r') >= 0
                || field.indexOf('\n') >= 0) {
            return true;
        }
        int first = field.codePointAt(0);
        // Go's unicode.IsSpace: \t \n \v \f \r, U+0085 and the Z categories' spaces. Not Character.isWhitespace,
        // which also counts U+001C..U+001F (Go does not quote a field starting with one).
        return (first >= '\t' && first <= '\r') || first == 0x85 || Character.isSpaceChar(first);
    }

    private static IllegalArgumentException error(String line, int index, String reason) {
        // Go counts the column in bytes, from 1.
        int column = line.substring(0, index).getBytes(StandardCharsets.UTF_8).length + 1;
        return new IllegalArgumentException("parse error on line 1, column " + column + ": " + reason);
    }
}
