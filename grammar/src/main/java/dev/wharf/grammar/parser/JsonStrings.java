package dev.wharf.grammar.parser;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON details that follow Go's {@code encoding/json}: string unescaping, number range, nesting depth.
 *
 * <p>Stateless and thread-safe.
 */
final class JsonStrings {

    /** encoding/json's maxNestingDepth: deeper input is a syntax error there. */
    static final int GO_MAX_DEPTH = 10000;

    private static final JsonFactory DEEP = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(GO_MAX_DEPTH + 1)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .build())
            .build();

    private JsonStrings() {
    }

    /**
     * Decodes a JSON string token given as a byte string (quotes included): escapes resolved, a lone
     * surrogate escape becomes U+FFFD (Go's utf16.DecodeRune rule).
     */
    static String unquote(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
        int end = token.length() - 1;
        for (int i = 1; i < end; i++) {
            char c = token.charAt(i);
            if (c != '\\') {
                out.write(c);
                continue;
            }
            char e = token.charAt(++i);
            switch (e) {
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'u' -> {
                    int cp = Integer.parseInt(token.substring(i + 1, i + 5), 16);
                    i += 4;
                    if (Character.isHighSurrogate((char) cp) && i + 6 < end && token.charAt(i + 1) == '\\'
                            && token.charAt(i + 2) == 'u') {
                        int low = Integer.parseInt(token.substring(i + 3, i + 7), 16);
                        if (Character.isLowSurrogate((char) low)) {
                            cp = Character.toCodePoint((char) cp, (char) low);
                            i += 6;
                        }
                    }
                    if (cp >= 0xD800 && cp <= 0xDFFF) {
                        cp = 0xFFFD;
                    }
                    byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                    out.write(utf8, 0, utf8.length);
                }
                default -> out.write(e); // " \ /
            }
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    /** True when Go's strconv.ParseFloat would fail with a range error (encoding/json then rejects the input). */
    static boolean overflows(String number) {
        return Double.isInfinite(Double.parseDouble(number));
    }

    /** Maximum nesting depth of brackets and braces outside strings in a byte string. */
    static int depth(String bytes, int from, int to) {
        int depth = 0;
        int max = 0;
        boolean inString = false;
        for (int i = from; i < to; i++) {
            char c = bytes.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                max = Math.max(max, ++depth);
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
        return max;
    }

    /**
     * Whether Go's json.Unmarshal into {@code []any} succeeds for deeply nested text, checked with Jackson's
     * iterative parser (the recursive grammar is kept for shallow input, where the Java stack is safe).
     */
    static boolean validDeep(String text) {
        try (JsonParser p = DEEP.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_ARRAY) {
                return false;
            }
            int level = 1;
            JsonToken t;
            while (level > 0 && (t = p.nextToken()) != null) {
                if (t.isStructStart()) {
                    level++;
                } else if (t.isStructEnd()) {
                    level--;
                } else if (t.isNumeric() && overflows(p.getText())) {
                    return false;
                }
            }
            return level == 0 && p.nextToken() == null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
