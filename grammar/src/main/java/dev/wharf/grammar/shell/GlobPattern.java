package dev.wharf.grammar.shell;

/**
 * A shell pattern of {@code ${V#p}}, {@code ${V%p}} and {@code ${V/p/r}}, and the matching BuildKit gets
 * from the Go regular expression that {@code convertShellPatternToRegex} (frontend/dockerfile/shell/lex.go)
 * builds from it. Immutable and thread-safe.
 *
 * <p>BuildKit turns {@code *} into {@code .*} (or {@code .*?} when not greedy), {@code ?} into {@code .},
 * quotes regex metacharacters, and accepts only {@code \*}, {@code \?} and {@code \\} as escapes, plus
 * {@code \}} and {@code \/} whose backslash is dropped. Like Go's {@code .}, neither wildcard matches a
 * newline. Instead of a regex engine this class runs a dynamic program over (pattern token, position)
 * that yields the same leftmost-first match as Go's RE2 in O(pattern × value) time, never backtracking
 * exponentially. Positions are code-point indexes.
 */
final class GlobPattern {

    /** Token for {@code *}. Literal tokens are the (non-negative) code point itself. */
    private static final int STAR = -2;
    /** Token for {@code ?}. */
    private static final int ANY = -3;
    private static final int NO_MATCH = -1;
    private static final int EOF = -1;

    private final int[] tokens;
    private final boolean greedy;

    private GlobPattern(int[] tokens, boolean greedy) {
        this.tokens = tokens;
        this.greedy = greedy;
    }

    /**
     * Converts a pattern as BuildKit's {@code convertShellPatternToRegex} does.
     *
     * @throws ExpansionFailure with Go's message ({@code invalid escape '\x'}) for a bad escape; the caller
     *                          adds the {@code invalid pattern (...) in substitution: } prefix
     */
    static GlobPattern compile(int[] pattern, boolean greedy) throws ExpansionFailure {
        int[] tokens = new int[pattern.length];
        int count = 0;
        // Go's text/scanner drops a byte order mark at the very start of its input.
        int i = pattern.length > 0 && pattern[0] == 0xFEFF ? 1 : 0;
        while (i < pattern.length) {
            int tok = pattern[i++];
            if (tok == '*') {
                tokens[count++] = STAR;
            } else if (tok == '?') {
                tokens[count++] = ANY;
            } else if (tok == '\\') {
                if (i < pattern.length && (pattern[i] == '}' || pattern[i] == '/')) {
                    // "\}" and "\/" only protect the delimiters of ${}: the backslash is not part of the pattern.
                    continue;
                }
                tok = i < pattern.length ? pattern[i++] : EOF;
                if (tok != '*' && tok != '?' && tok != '\\') {
                    throw new ExpansionFailure("invalid escape '\\" + ShellChars.runeString(tok) + "'");
                }
                tokens[count++] = tok;
            } else {
                tokens[count++] = tok;
            }
        }
        int[] exact = new int[count];
        System.arraycopy(tokens, 0, exact, 0, count);
        return new GlobPattern(exact, greedy);
    }

    /**
     * Reverses a pattern but keeps each backslash before the character it escapes, BuildKit's
     * {@code reversePattern}; a trailing lone backslash is reversed like any other character.
     */
    static int[] reverse(int[] pattern) {
        int last = pattern.length - 1;
        int[] out = new int[pattern.length];
        for (int i = 0; i <= last; ) {
            int tok = pattern[i];
            int outIdx = last - i;
            if (tok == '\\' && i != last) {
                out[outIdx - 1] = tok;
                out[outIdx] = pattern[i + 1];
                i += 2;
            } else {
                out[outIdx] = tok;
                i++;
            }
        }
        return out;
    }

    /** The end of the match anchored at the start of {@code value}, or -1 when there is none. */
    int matchPrefix(int[] value) {
        return matchEnds(value)[0];
    }

    /** Replaces the leftmost match with {@code replacement}, taken literally (Go: slice concatenation). */
    String replaceFirst(String value, int[] valueCps, String replacement) {
        int[] ends = matchEnds(valueCps);
        for (int start = 0; start < ends.length; start++) {
            if (ends[start] != NO_MATCH) {
                int from = value.offsetByCodePoints(0, start);
                int to = value.offsetByCodePoints(from, ends[start] - start);
                return value.substring(0, from) + replacement + value.substring(to);
            }
        }
        return value;
    }

    /**
     * Go's {@code Regexp.ReplaceAllString}: every non-overlapping match, searching on after each one (at least
     * one character further), with no replacement for an empty match right after a previous match; the
     * replacement is a Go template in which {@code $0}/{@code ${0}} is the match, {@code $$} a dollar, and
     * other {@code $name} references expand to nothing.
     */
    String replaceAll(int[] value, String replacement) {
        int[] ends = matchEnds(value);
        int m = value.length;
        StringBuilder out = new StringBuilder(m + replacement.length());
        int lastMatchEnd = 0;
        int searchPos = 0;
        int start = 0;
        while (searchPos <= m) {
            if (start < searchPos) {
                start = searchPos;
            }
            while (start <= m && ends[start] == NO_MATCH) {
                start++;
            }
            if (start > m) {
                break;
            }
            int end = ends[start];
            appendCodePoints(out, value, lastMatchEnd, start);
            if (end > lastMatchEnd || start == 0) {
                expandTemplate(out, replacement, value, start, end);
            }
            lastMatchEnd = end;
            int width = searchPos < m ? 1 : 0;
            if (searchPos + width > end) {
                searchPos += width;
            } else if (searchPos + 1 > end) {
                searchPos++;
            } else {
                searchPos = end;
            }
        }
        appendCodePoints(out, value, lastMatchEnd, m);
        return out.toString();
    }

    /**
     * For every start position j (0..length), the end of the preferred (leftmost-first) match starting at j,
     * or -1. Layer by layer from the last token: f(i, j) depends only on f(i + 1, ·). A star tries its
     * lengths longest first when greedy and shortest first otherwise, so its result is the continuation at
     * the largest (greedy) or smallest (lazy) successful split within the newline-free run.
     */
    private int[] matchEnds(int[] s) {
        int m = s.length;
        int[] next = new int[m + 1];
        for (int j = 0; j <= m; j++) {
            next[j] = j;
        }
        int[] cur = new int[m + 1];
        for (int i = tokens.length - 1; i >= 0; i--) {
            int tok = tokens[i];
            if (tok == STAR) {
                int pick = next[m] != NO_MATCH ? m : NO_MATCH;
                cur[m] = pick == NO_MATCH ? NO_MATCH : next[pick];
                for (int j = m - 1; j >= 0; j--) {
                    if (s[j] == '\n') {
                        pick = NO_MATCH; // the star cannot cross a newline: only the empty length is left
                    }
                    if (next[j] != NO_MATCH && (!greedy || pick == NO_MATCH)) {
                        pick = j;
                    }
                    cur[j] = pick == NO_MATCH ? NO_MATCH : next[pick];
                }
            } else {
                cur[m] = NO_MATCH;
                for (int j = 0; j < m; j++) {
                    int c = s[j];
                    boolean ok = tok == ANY ? c != '\n' : c == tok;
                    cur[j] = ok ? next[j + 1] : NO_MATCH;
                }
            }
            int[] swap = next;
            next = cur;
            cur = swap;
        }
        return next;
    }

    private static void appendCodePoints(StringBuilder out, int[] cps, int from, int to) {
        for (int k = from; k < to; k++) {
            out.appendCodePoint(cps[k]);
        }
    }

    /** Go's {@code Regexp.expand} for a regex without groups: only group 0 (the whole match) exists. */
    private static void expandTemplate(StringBuilder out, String template, int[] value, int start, int end) {
        int n = template.length();
        int i = 0;
        while (true) {
            int dollar = template.indexOf('$', i);
            if (dollar < 0) {
                break;
            }
            out.append(template, i, dollar);
            i = dollar + 1;
            if (i < n && template.charAt(i) == '$') {
                out.append('$');
                i++;
                continue;
            }
            boolean brace = i < n && template.charAt(i) == '{';
            int nameStart = brace ? i + 1 : i;
            int k = nameStart;
            while (k < n) {
                int cp = template.codePointAt(k);
                if (!Character.isLetter(cp) && !Character.isDigit(cp) && cp != '_') {
                    break;
                }
                k += Character.charCount(cp);
            }
            if (k == nameStart || (brace && (k >= n || template.charAt(k) != '}'))) {
                out.append('$'); // malformed reference: the dollar is literal text
                continue;
            }
            boolean wholeMatch = k - nameStart == 1 && template.charAt(nameStart) == '0';
            i = brace ? k + 1 : k;
            if (wholeMatch) {
                appendCodePoints(out, value, start, end);
            }
        }
        out.append(template, i, n);
    }
}
