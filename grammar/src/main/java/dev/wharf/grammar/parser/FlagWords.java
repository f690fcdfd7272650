package dev.wharf.grammar.parser;

/**
 * Cooks one flag word the way BuildKit's {@code extractBuilderFlags} (split_command.go) does: quotes are removed
 * (their content kept) and the escape character takes the next byte literally, inside quotes too.
 *
 * <p>Stateless and thread-safe. Works on byte strings (one char per UTF-8 byte) because BuildKit scans flags
 * byte by byte and writes every byte as the rune of the same value: a non-ASCII flag is therefore
 * Latin-1-decoded UTF-8 ("é" becomes "Ã©"), and the returned string is exactly BuildKit's.
 */
final class FlagWords {

    private FlagWords() {
    }

    static String cook(String word, int escape) {
        StringBuilder out = new StringBuilder(word.length());
        int quote = 0;
        int n = word.length();
        for (int i = 0; i < n; i++) {
            char ch = word.charAt(i);
            if (quote == 0) {
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    continue;
                }
            } else if (ch == quote) {
                quote = 0;
                continue;
            }
            if (ch == escape) {
                if (i + 1 == n) {
                    continue; // an escape at the end of the line is dropped
                }
                ch = word.charAt(++i);
            }
            out.append(ch);
        }
        return out.toString();
    }
}
