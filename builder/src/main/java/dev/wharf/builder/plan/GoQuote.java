package dev.wharf.builder.plan;

/**
 * Go's {@code %q} ({@code strconv.Quote}) for the messages that quote user input: a double-quoted string with
 * {@code \" \\} and control characters escaped.
 *
 * <p>Stateless and thread-safe.
 */
final class GoQuote {

    private GoQuote() {
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 7 -> out.append("\\a");
                case 8 -> out.append("\\b");
                case 12 -> out.append("\\f");
                case 11 -> out.append("\\v");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        out.append(String.format("\\x%02x", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.append('"').toString();
    }
}
