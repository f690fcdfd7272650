package dev.wharf.grammar.shell;

/** Character classes of Go's {@code unicode} package as BuildKit's lexer uses them. Stateless. */
final class ShellChars {

    /** Go's {@code scanner.EOF}. */
    static final int EOF = -1;

    private ShellChars() {
    }

    /** Go's {@code unicode.IsSpace}: the Unicode White_Space property. */
    static boolean isSpace(int cp) {
        if (cp <= 0xFF) {
            return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xA0;
        }
        return cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** Go's {@code string(rune)}: an invalid rune (EOF, a surrogate) becomes U+FFFD. */
    static String runeString(int cp) {
        if (cp < 0 || cp > Character.MAX_CODE_POINT || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return "\uFFFD";
        }
        return new String(Character.toChars(cp));
    }
}
