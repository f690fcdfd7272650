package dev.wharf.grammar.instructions;

import dev.wharf.grammar.go.GoStrings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises a {@code <<WORD} operand of COPY/ADD: BuildKit's {@code parser.MustParseHeredoc}. The word must be
 * {@code [N]<<[-]name} where the name, after quote removal, is a single shell word; quoting any part of it turns
 * expansion off.
 *
 * <p>Stateless and thread-safe.
 */
final class HeredocWord {

    /** parser.go reHeredoc; {@code \s} spelled out because RE2's excludes \v. */
    private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)[\\t\\n\\f\\r ]*([^<]*)$");

    /** The parts of a heredoc operand. */
    record Parsed(String name, boolean expand, boolean chomp) {
    }

    private HeredocWord() {
    }

    /** The heredoc {@code word} introduces, or empty when it is an ordinary operand (or malformed). */
    static Optional<Parsed> parse(String word) {
        Matcher m = HEREDOC.matcher(word);
        if (!m.matches() || m.group(3).isEmpty()) {
            return Optional.empty();
        }
        String rest = m.group(3);
        List<String> words = words(rest, false);
        if (words == null || words.size() != 1) {
            return Optional.empty();
        }
        List<String> raw = words(rest, true);
        if (raw == null || raw.size() != 1) {
            return Optional.empty();
        }
        boolean expand = quotes(words.get(0)) == quotes(raw.get(0));
        return Optional.of(new Parsed(words.get(0), expand, m.group(2).equals("-")));
    }

    private static int quotes(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\'' || s.charAt(i) == '"') {
                n++;
            }
        }
        return n;
    }

    /**
     * Shell word splitting with quote and backslash processing (BuildKit's {@code ProcessWords} with an empty
     * environment whose unset variables are kept as written); {@code rawQuotes} keeps the quote characters.
     * Null when a quote is not closed.
     */
    private static List<String> words(String s, boolean rawQuotes) {
        List<String> words = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) {
                    return null;
                }
                current.append(rawQuotes ? s.substring(i, end + 1) : s.substring(i + 1, end));
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                StringBuilder quoted = new StringBuilder();
                int j = i + 1;
                boolean closed = false;
                while (j < s.length()) {
                    char d = s.charAt(j);
                    if (d == '"') {
                        closed = true;
                        break;
                    }
                    if (d == '\\' && j + 1 < s.length() && "\"$\\".indexOf(s.charAt(j + 1)) >= 0) {
                        quoted.append(s.charAt(j + 1));
                        j += 2;
                        continue;
                    }
                    quoted.append(d);
                    j++;
                }
                if (!closed) {
                    return null;
                }
                current.append(rawQuotes ? "\"" + quoted + "\"" : quoted);
                inWord = true;
                i = j + 1;
            } else if (c == '\\') {
                if (i + 1 < s.length()) {
                    current.append(s.charAt(i + 1));
                    inWord = true;
                }
                i += 2;
            } else if (GoStrings.isSpace(c)) {
                if (inWord && current.length() > 0) {
                    words.add(current.toString());
                    current.setLength(0);
                    inWord = false;
                }
                i++;
            } else {
                current.append(c);
                inWord = true;
                i++;
            }
        }
        if (current.length() > 0) {
            words.add(current.toString());
        }
        return words;
    }
}
