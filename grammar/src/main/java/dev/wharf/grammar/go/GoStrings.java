package dev.wharf.grammar.go;

import java.util.Comparator;

/**
 * Go's {@code strings}/{@code unicode} behaviour where Java's differs: Unicode white space
 * ({@code unicode.IsSpace}, {@code strings.TrimSpace}), rune-by-rune case mapping ({@code strings.ToLower},
 * {@code ToUpper}, {@code EqualFold}) and the byte-wise order of UTF-8 strings.
 *
 * <p>Stateless and thread-safe.
 */
public final class GoStrings {

    /** Orders strings by code point, as Go's byte-wise comparison of UTF-8 does ({@code slices.Sort}). */
    public static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    };

    private GoStrings() {
    }

    /**
     * Go's {@code unicode.IsSpace}: the Unicode White_Space property, spelled out so that it does not depend on
     * the JDK's Unicode version.
     */
    public static boolean isSpace(int cp) {
        return switch (cp) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 ->
                    true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    /** Index of the first char of {@code s[from,to)} that is not Go white space ({@code to} if none). */
    public static int skipSpace(CharSequence s, int from, int to) {
        int i = from;
        while (i < to) {
            int cp = Character.codePointAt(s, i);
            if (!isSpace(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        return i;
    }

    /** End index of {@code s[from,to)} with trailing Go white space removed. */
    public static int trimEnd(CharSequence s, int from, int to) {
        int i = to;
        while (i > from) {
            int cp = Character.codePointBefore(s, i);
            if (!isSpace(cp)) {
                break;
            }
            i -= Character.charCount(cp);
        }
        return i;
    }

    /** Go's {@code strings.TrimSpace}. */
    public static String trimSpace(String s) {
        int start = skipSpace(s, 0, s.length());
        return s.substring(start, trimEnd(s, start, s.length()));
    }

    /** Go's {@code strings.ToLower}: maps every rune on its own (Java's toLowerCase may change the length). */
    public static String toLower(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int lower = Character.toLowerCase(cp);
            if (lower != cp && out == null) {
                out = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (out != null) {
                out.appendCodePoint(lower);
            }
            i += Character.charCount(cp);
        }
        return out == null ? s : out.toString();
    }

    /** Go's {@code strings.ToUpper}, rune by rune. */
    public static String toUpper(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> out.appendCodePoint(Character.toUpperCase(cp)));
        return out.toString();
    }

    /** Go's {@code strings.EqualFold}, approximated with per-rune simple case mapping. */
    public static boolean equalFold(String a, String b) {
        return toLower(toUpper(a)).equals(toLower(toUpper(b)));
    }
}
