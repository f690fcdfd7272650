package dev.wharf.grammar.go;

/**
 * Go's {@code strconv.Quote} for Java strings: the quoting of BuildKit's {@code Node.Dump()}, of its {@code %q}
 * error messages and of the shell lexer's {@code failed to process "<word>"} wrapping.
 *
 * <p>Stateless and thread-safe. A Java string decoded from UTF-8 holds no invalid bytes, so Go's {@code \xHH}
 * form only appears for control characters; a lone surrogate (which only a Java caller can produce) is quoted
 * as {@code \ufffd}, the rune Go would have decoded in its place.
 */
public final class GoQuote {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoQuote() {
    }

    /** {@code text} in double quotes, escaped exactly as Go's {@code strconv.Quote} does. */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2);
        out.append('"');
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
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

    /** Go's {@code %q} of a {@code []string}: {@code ["a" "b"]}. */
    public static String quoteList(Iterable<String> items) {
        StringBuilder out = new StringBuilder("[");
        boolean first = true;
        for (String item : items) {
            if (!first) {
                out.append(' ');
            }
            first = false;
            out.append(quote(item));
        }
        return out.append(']').toString();
    }

    private static void appendRune(StringBuilder out, int cp) {
        if (cp < 0x20 || cp == 0x7F) {
            appendHex(out.append("\\x"), cp, 2);
        } else if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
            out.append("\\ufffd");
        } else if (isPrint(cp)) {
            out.appendCodePoint(cp);
        } else if (cp < 0x10000) {
            appendHex(out.append("\\u"), cp, 4);
        } else {
            appendHex(out.append("\\U"), cp, 8);
        }
    }

    private static void appendHex(StringBuilder out, int value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.append(HEX[(value >> shift) & 0xF]);
        }
    }

    /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    public static boolean isPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER,
                    Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                    Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
                    Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION,
                    Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }
}
