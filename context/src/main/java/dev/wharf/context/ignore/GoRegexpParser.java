package dev.wharf.context.ignore;

import dev.wharf.context.glob.BadPatternException;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for Go's RE2 syntax with the flags {@code regexp.Compile} uses (syntax.Perl: ClassNL,
 * OneLine, PerlX, UnicodeGroups), following regexp/syntax/parse.go: what Go rejects is rejected here as
 * {@link BadPatternException}. One instance parses one expression; not thread-safe.
 */
final class GoRegexpParser {

    private static final int MAX_RUNE = 0x10FFFF;

    private final int[] s;
    private int i;
    private int depth;

    GoRegexpParser(String regex) {
        this.s = regex.codePoints().toArray();
    }

    RegexNode parse() throws BadPatternException {
        RegexNode n = parseAlt();
        if (i != s.length) {
            throw new BadPatternException(); // unexpected ')'
        }
        return n;
    }

    private RegexNode parseAlt() throws BadPatternException {
        if (++depth > 1000) {
            throw new BadPatternException(); // Go caps nesting too (ErrNestingDepth)
        }
        List<RegexNode> choices = new ArrayList<>();
        choices.add(parseConcat());
        while (i < s.length && s[i] == '|') {
            i++;
            choices.add(parseConcat());
        }
        depth--;
        return choices.size() == 1 ? choices.get(0) : new RegexNode.AltNode(List.copyOf(choices));
    }

    private RegexNode parseConcat() throws BadPatternException {
        List<RegexNode> parts = new ArrayList<>();
        boolean lastWasRepeat = false;
        while (i < s.length && s[i] != '|' && s[i] != ')') {
            int c = s[i];
            int[] bounds = null;
            if (c == '{') {
                bounds = parseRepeat();
                if (bounds == null) {
                    // Not a valid {n,m}: Go takes the brace literally.
                    i++;
                    parts.add(literal('{'));
                    lastWasRepeat = false;
                    continue;
                }
            }
            if (c == '*' || c == '+' || c == '?' || bounds != null) {
                if (bounds == null) {
                    i++;
                } else if (bounds[0] < 0 || bounds[0] > 1000 || bounds[1] > 1000
                        || bounds[1] >= 0 && bounds[0] > bounds[1]) {
                    throw new BadPatternException(); // invalid repeat count
                }
                if (i < s.length && s[i] == '?') {
                    i++; // non-greedy marker (PerlX)
                }
                if (parts.isEmpty() || lastWasRepeat) {
                    throw new BadPatternException(); // missing argument / nested repetition
                }
                RegexNode last = parts.remove(parts.size() - 1);
                parts.add(bounds == null ? new RegexNode.RepeatNode(last, (char) c)
                        : new RegexNode.CountedNode(last, bounds[0], bounds[1]));
                lastWasRepeat = true;
                continue;
            }
            lastWasRepeat = false;
            if (c == '(') {
                i++;
                if (i < s.length && s[i] == '?') {
                    throw new BadPatternException(); // flag groups never come out of patternmatcher
                }
                RegexNode inner = parseAlt();
                if (i >= s.length || s[i] != ')') {
                    throw new BadPatternException(); // missing ')'
                }
                i++;
                parts.add(inner);
            } else if (c == '^') {
                i++;
                parts.add(new RegexNode.EmptyNode(RegexProgram.OP_BEGIN_TEXT));
            } else if (c == '$') {
                i++;
                parts.add(new RegexNode.EmptyNode(RegexProgram.OP_END_TEXT));
            } else if (c == '.') {
                i++;
                parts.add(new RegexNode.ClassNode(new int[] {0, '\n' - 1, '\n' + 1, MAX_RUNE}));
            } else if (c == '[') {
                parts.add(new RegexNode.ClassNode(parseClass()));
            } else if (c == '\\') {
                parseBackslash(parts);
            } else {
                i++;
                parts.add(literal(c));
            }
        }
        return new RegexNode.ConcatNode(List.copyOf(parts));
    }

    /**
     * Go's parseRepeat at a '{': returns {min, max} (max -1 for "no limit", min -1 for an overlong number) and
     * moves past the closing brace, or returns null without moving when the text is not a repeat.
     */
    private int[] parseRepeat() {
        int k = i + 1;
        int[] min = parseInt(k);
        if (min == null) {
            return null;
        }
        k = min[1];
        int max;
        if (k >= s.length) {
            return null;
        }
        int lo = min[0];
        if (s[k] != ',') {
            max = lo;
        } else {
            k++;
            if (k >= s.length) {
                return null;
            }
            if (s[k] == '}') {
                max = -1;
            } else {
                int[] mx = parseInt(k);
                if (mx == null) {
                    return null;
                }
                k = mx[1];
                max = mx[0];
                if (max < 0) {
                    lo = -1;
                }
            }
        }
        if (k >= s.length || s[k] != '}') {
            return null;
        }
        i = k + 1;
        return new int[] {lo, max};
    }

    /** Go's parseInt: decimal digits without leading zeros; {value or -1 if huge, index after}. */
    private int[] parseInt(int k) {
        if (k >= s.length || s[k] < '0' || s[k] > '9') {
            return null;
        }
        if (k + 1 < s.length && s[k] == '0' && s[k + 1] >= '0' && s[k + 1] <= '9') {
            return null;
        }
        int n = 0;
        int start = k;
        while (k < s.length && s[k] >= '0' && s[k] <= '9') {
            k++;
        }
        for (int j = start; j < k; j++) {
            if (n >= 100_000_000) {
                n = -1;
                break;
            }
            n = n * 10 + s[j] - '0';
        }
        return new int[] {n, k};
    }

    private static RegexNode literal(int c) {
        return new RegexNode.ClassNode(new int[] {c, c});
    }

    private void parseBackslash(List<RegexNode> parts) throws BadPatternException {
        if (i + 1 < s.length) {
            switch (s[i + 1]) {
                case 'A':
                    i += 2;
                    parts.add(new RegexNode.EmptyNode(RegexProgram.OP_BEGIN_TEXT));
                    return;
                case 'z':
                    i += 2;
                    parts.add(new RegexNode.EmptyNode(RegexProgram.OP_END_TEXT));
                    return;
                case 'b':
                    i += 2;
                    parts.add(new RegexNode.EmptyNode(RegexProgram.OP_WORD_BOUNDARY));
                    return;
                case 'B':
                    i += 2;
                    parts.add(new RegexNode.EmptyNode(RegexProgram.OP_NOT_WORD_BOUNDARY));
                    return;
                case 'C':
                    throw new BadPatternException();
                case 'Q':
                    i += 2;
                    while (i < s.length) {
                        if (s[i] == '\\' && i + 1 < s.length && s[i + 1] == 'E') {
                            i += 2;
                            return;
                        }
                        parts.add(literal(s[i++]));
                    }
                    return;
                default:
                    break;
            }
        }
        RangeSet set = new RangeSet();
        if (parseUnicodeClass(set) || parsePerlClass(set)) {
            parts.add(new RegexNode.ClassNode(set.toRanges()));
            return;
        }
        int c = parseEscape();
        parts.add(literal(c));
    }

    /** Go's parseClass: {@code [} ... {@code ]} with Perl flags; returns sorted, merged ranges. */
    private int[] parseClass() throws BadPatternException {
        i++; // '['
        boolean negated = false;
        if (i < s.length && s[i] == '^') {
            negated = true;
            i++;
        }
        RangeSet set = new RangeSet();
        boolean first = true;
        while (i >= s.length || s[i] != ']' || first) {
            if (i >= s.length) {
                throw new BadPatternException(); // missing ']'
            }
            first = false;
            if (i + 2 < s.length && s[i] == '[' && s[i + 1] == ':' && parseNamedClass(set)) {
                continue;
            }
            if (parseUnicodeClass(set) || parsePerlClass(set)) {
                continue;
            }
            int lo = parseClassChar();
            int hi = lo;
            if (i + 1 < s.length && s[i] == '-' && s[i + 1] != ']') {
                i++;
                hi = parseClassChar();
                if (hi < lo) {
                    throw new BadPatternException(); // invalid character class range
                }
            }
            set.add(lo, hi);
        }
        i++; // ']'
        return negated ? set.complement() : set.toRanges();
    }

    private int parseClassChar() throws BadPatternException {
        if (i >= s.length) {
            throw new BadPatternException();
        }
        if (s[i] == '\\') {
            return parseEscape();
        }
        return s[i++];
    }

    /** POSIX {@code [:name:]} inside a class; Go finds the closing {@code :]} anywhere further on. */
    private boolean parseNamedClass(RangeSet set) throws BadPatternException {
        int close = -1;
        for (int k = i + 2; k + 1 < s.length; k++) {
            if (s[k] == ':' && s[k + 1] == ']') {
                close = k;
                break;
            }
        }
        if (close < 0) {
            return false;
        }
        String name = new String(s, i + 2, close - (i + 2));
        boolean neg = name.startsWith("^");
        int[] ranges = PosixClasses.ranges(neg ? name.substring(1) : name);
        if (ranges == null) {
            throw new BadPatternException(); // invalid character class range
        }
        i = close + 2;
        set.addAll(neg ? RangeSet.complementOf(ranges) : ranges);
        return true;
    }

    /** {@code \d \D \s \S \w \W}. */
    private boolean parsePerlClass(RangeSet set) {
        if (i + 1 >= s.length || s[i] != '\\') {
            return false;
        }
        int[] ranges = PosixClasses.perl(s[i + 1]);
        if (ranges == null) {
            return false;
        }
        boolean neg = Character.isUpperCase(s[i + 1]);
        set.addAll(neg ? RangeSet.complementOf(ranges) : ranges);
        i += 2;
        return true;
    }

    /**
     * {@code \pX}/{@code \PX}. patternmatcher escapes braces, so only one-letter names can reach here; they are
     * the one-letter general categories (Go's unicode.Categories), and "^" only flips the sign of an empty name,
     * which Go rejects.
     */
    private boolean parseUnicodeClass(RangeSet set) throws BadPatternException {
        if (i + 1 >= s.length || s[i] != '\\' || (s[i + 1] != 'p' && s[i + 1] != 'P')) {
            return false;
        }
        if (i + 2 >= s.length) {
            return false; // Go: nextRune fails, no class; parseEscape then reports the bad escape
        }
        int name = s[i + 2];
        if (name == '{') {
            int end = -1;
            for (int k = i + 3; k < s.length; k++) {
                if (s[k] == '}') {
                    end = k;
                    break;
                }
            }
            if (end < 0) {
                throw new BadPatternException();
            }
            String full = new String(s, i + 3, end - (i + 3));
            boolean neg = s[i + 1] == 'P';
            if (full.startsWith("^")) {
                neg = !neg;
                full = full.substring(1);
            }
            int[] ranges = UnicodeCategories.ranges(full);
            if (ranges == null) {
                throw new BadPatternException();
            }
            set.addAll(neg ? RangeSet.complementOf(ranges) : ranges);
            i = end + 1;
            return true;
        }
        int[] ranges = UnicodeCategories.ranges(new String(Character.toChars(name)));
        if (ranges == null) {
            throw new BadPatternException();
        }
        set.addAll(s[i + 1] == 'P' ? RangeSet.complementOf(ranges) : ranges);
        i += 3;
        return true;
    }

    /** Go's parseEscape: punctuation, octal, hex, and the C control escapes; anything else is an error. */
    private int parseEscape() throws BadPatternException {
        i++; // '\\'
        if (i >= s.length) {
            throw new BadPatternException(); // trailing backslash
        }
        int c = s[i++];
        if (c < 0x80 && !Character.isLetterOrDigit(c)) {
            return c;
        }
        switch (c) {
            case '1': case '2': case '3': case '4': case '5': case '6': case '7':
                if (i >= s.length || s[i] < '0' || s[i] > '7') {
                    throw new BadPatternException(); // backreferences are not supported
                }
                return octal(c);
            case '0':
                return octal(c);
            case 'x':
                return hex();
            case 'a':
                return 7;
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'v':
                return 11;
            default:
                throw new BadPatternException(); // invalid escape sequence
        }
    }

    private int octal(int firstDigit) {
        int r = firstDigit - '0';
        for (int k = 1; k < 3; k++) {
            if (i >= s.length || s[i] < '0' || s[i] > '7') {
                break;
            }
            r = r * 8 + s[i++] - '0';
        }
        return r;
    }

    private int hex() throws BadPatternException {
        if (i >= s.length) {
            throw new BadPatternException();
        }
        int c = s[i++];
        if (c == '{') {
            int digits = 0;
            int r = 0;
            while (true) {
                if (i >= s.length) {
                    throw new BadPatternException();
                }
                c = s[i++];
                if (c == '}') {
                    break;
                }
                int v = Character.digit(c, 16);
                if (v < 0 || c > 0x7f) {
                    throw new BadPatternException();
                }
                r = r * 16 + v;
                if (r > MAX_RUNE) {
                    throw new BadPatternException();
                }
                digits++;
            }
            if (digits == 0) {
                throw new BadPatternException();
            }
            return r;
        }
        if (i >= s.length) {
            throw new BadPatternException();
        }
        int d = s[i++];
        int x = c > 0x7f ? -1 : Character.digit(c, 16);
        int y = d > 0x7f ? -1 : Character.digit(d, 16);
        if (x < 0 || y < 0) {
            throw new BadPatternException();
        }
        return x * 16 + y;
    }
}
