package dev.wharf.layers.json;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * String escaping identical to Go's {@code encoding/json} {@code Marshal}, which BuildKit, containerd and the
 * registries use to write manifests and configs.
 *
 * <p>Go escapes {@code "} and {@code \} with a backslash; {@code \b \f \n \r \t} by name (Go 1.22 and later); other
 * control characters below U+0020 as <code>&#92;u00XX</code> with lowercase hex; and, because {@code Marshal} is HTML-safe,
 * <code>&lt;</code>, <code>&gt;</code>, <code>&amp;</code>, U+2028 and U+2029 as <code>&#92;u003c</code>, <code>&#92;u003e</code>, <code>&#92;u0026</code>,
 * <code>&#92;u2028</code>, <code>&#92;u2029</code>. Everything else, including non-ASCII text, is written as raw UTF-8. See Go's
 * {@code src/encoding/json/encode.go}, {@code appendString}. Immutable and thread-safe.
 */
public final class GoCharacterEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final int[] asciiEscapes;

    /** Go's escapes, as above. */
    public GoCharacterEscapes() {
        int[] escapes = CharacterEscapes.standardAsciiEscapesForJSON();
        for (int c = 0; c < 0x20; c++) {
            escapes[c] = ESCAPE_CUSTOM;
        }
        escapes['<'] = ESCAPE_CUSTOM;
        escapes['>'] = ESCAPE_CUSTOM;
        escapes['&'] = ESCAPE_CUSTOM;
        this.asciiEscapes = escapes;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return asciiEscapes.clone();
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        return switch (ch) {
            case '\b' -> new SerializedString("\\b");
            case '\f' -> new SerializedString("\\f");
            case '\n' -> new SerializedString("\\n");
            case '\r' -> new SerializedString("\\r");
            case '\t' -> new SerializedString("\\t");
            case '<', '>', '&', 0x2028, 0x2029 -> unicodeEscape(ch);
            default -> ch < 0x20 ? unicodeEscape(ch) : null;
        };
    }

    private static SerializableString unicodeEscape(int ch) {
        char[] out = {'\\', 'u', HEX[(ch >> 12) & 0xF], HEX[(ch >> 8) & 0xF], HEX[(ch >> 4) & 0xF], HEX[ch & 0xF]};
        return new SerializedString(new String(out));
    }
}
