package dev.wharf.grammar.instructions;

import java.util.Comparator;

/**
 * String helpers that behave like Go's {@code strings}/{@code strconv} functions BuildKit uses, where Java's
 * differ (per-rune case mapping, Unicode white space, {@code strconv.Quote}).
 *
 * <p>Stateless and thread-safe.
 */
final class GoText {

    /** Orders strings by code point, as Go's byte-wise comparison of UTF-8 does ({@code slices.Sort}). */
    static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
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

    private GoText() {
    }

    /** Go's {@code strings.ToLower}: maps every rune on its own (Java's toLowerCase may change the length). */
    static String toLower(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> out.appendCodePoint(Character.toLowerCase(cp)));
        return out.toString();
    }

    /** Go's {@code strings.ToUpper}, rune by rune. */
    static String toUpper(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> out.appendCodePoint(Character.toUpperCase(cp)));
        return out.toString();
    }

    /** Go's {@code strings.EqualFold}, approximated with per-rune simple case mapping. */
    static boolean equalFold(String a, String b) {
        return toLower(toUpper(a)).equals(toLower(toUpper(b)));
    }

    /** Go's {@code unicode.IsSpace}. */
    static boolean isSpace(int cp) {
        if (cp < 0x80) {
            return cp == ' ' || (cp >= '\t' && cp <= '\r');
        }
        return cp == 0x85 || cp == 0xA0 || Character.getType(cp) == Character.SPACE_SEPARATOR
                || cp == 0x2028 || cp == 0x2029;
    }

    /** Go's {@code strings.TrimSpace}. */
    static String trimSpace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && isSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    /** Go's {@code strconv.Quote} (also what {@code %q} and {@code %#v} print for a string). */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case 0x07 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x0B -> out.append("\\v");
                default -> appendRune(out, cp);
            }
        }
        return out.append('"').toString();
    }

    private static void appendRune(StringBuilder out, int cp) {
        if (cp == ' ' || isPrintable(cp)) {
            out.appendCodePoint(cp);
        } else if (cp < 0x20 || cp == 0x7F) {
            out.append(String.format("\\x%02x", cp));
        } else if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
            // A lone surrogate is what Java keeps of bytes Go would see as invalid UTF-8.
            out.append("\\ufffd");
        } else if (cp < 0x10000) {
            out.append(String.format("\\u%04x", cp));
        } else {
            out.append(String.format("\\U%08x", cp));
        }
    }

    /** Go's {@code unicode.IsPrint} minus the ASCII space: letters, marks, numbers, punctuation, symbols. */
    private static boolean isPrintable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
                    Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
                    Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                    Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }
}
