package dev.wharf.context.ignore;

import dev.wharf.context.glob.BadPatternException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The subset of Go's {@code regexp} package (RE2 syntax with {@code syntax.Perl} flags) that moby/patternmatcher's
 * generated regular expressions can contain, with Go's semantics rather than java.util.regex's: classes are Go
 * classes (no nesting or intersection, {@code [:alpha:]} POSIX names, {@code \d \s \w}, one-letter
 * {@code \pL} categories), {@code .} does not match a newline, negated classes do, {@code ^}/{@code $} anchor the
 * whole text, {@code \Q...\E} quotes, {@code \A \z \b \B} assertions.
 *
 * <p>Why not java.util.regex: patternmatcher hands the user's brackets and escapes to Go's regexp unchanged (its
 * {@code Pattern.compile}), so {@code a\d} matches {@code a5} and {@code [*]} becomes {@code [[^/]*]}; Java's
 * dialect differs on exactly those inputs. Matching is a Pike VM over code points: linear time, no backtracking,
 * so hostile patterns cannot hang. Immutable and thread-safe after construction.
 */
final class GoRegexp {

    private static final int MAX_RUNE = 0x10FFFF;

    /** Upper bound on instructions, so counted repetitions in a hostile pattern cannot exhaust memory. */
    private static final int MAX_PROGRAM = 200_000;

    // Program opcodes.
    private static final int OP_CLASS = 0;
    private static final int OP_SPLIT = 1;
    private static final int OP_JMP = 2;
    private static final int OP_MATCH = 3;
    private static final int OP_BEGIN_TEXT = 4;
    private static final int OP_END_TEXT = 5;
    private static final int OP_WORD_BOUNDARY = 6;
    private static final int OP_NOT_WORD_BOUNDARY = 7;

    private final int[] op;
    private final int[] out;
    private final int[] out1;
    private final int[][] classes;
    private final int start;

    private GoRegexp(Program p) {
        this.op = Arrays.copyOf(p.op, p.size);
        this.out = Arrays.copyOf(p.out, p.size);
        this.out1 = Arrays.copyOf(p.out1, p.size);
        this.classes = p.classes.toArray(new int[0][]);
        this.start = p.start;
    }

    /** Parses a Go regular expression; any syntax error surfaces as Go's {@code ErrBadPattern}, as in patternmatcher. */
    static GoRegexp compile(String regex) throws BadPatternException {
        Node tree = new Parser(regex).parse();
        Program p = new Program();
        try {
            int match = p.add(OP_MATCH, -1, -1, null);
            p.start = tree.compile(p, match);
        } catch (ProgramTooLarge e) {
            // Go rejects oversized programs too (regexp/syntax ErrLarge), at about 3.3M instructions; wharf stops
            // earlier so counted repetitions in a hostile pattern cannot exhaust memory.
            throw new BadPatternException();
        }
        return new GoRegexp(p);
    }

    /** Go's {@code Regexp.MatchString}: whether the expression matches anywhere in {@code text}. */
    boolean matches(String text) {
        int[] cps = text.codePoints().toArray();
        int n = op.length;
        int[] current = new int[n];
        int[] next = new int[n];
        int[] onList = new int[n];
        Arrays.fill(onList, -1);
        int[] stack = new int[n * 2 + 2];
        int currentSize = 0;
        int generation;
        for (int pos = 0; pos <= cps.length; pos++) {
            // Unanchored search: a new thread starts at every position (the leading ^ kills the late ones).
            int prev = pos == 0 ? -1 : cps[pos - 1];
            int cur = pos == cps.length ? -1 : cps[pos];
            generation = pos;
            // Rebuild current list from carried threads plus the start state, following empty transitions.
            int[] seeds = Arrays.copyOf(current, currentSize + 1);
            seeds[currentSize] = start;
            currentSize = 0;
            for (int seed : seeds) {
                int sp = 0;
                stack[sp++] = seed;
                while (sp > 0) {
                    int pc = stack[--sp];
                    if (onList[pc] == generation) {
                        continue;
                    }
                    onList[pc] = generation;
                    switch (op[pc]) {
                        case OP_MATCH:
                            return true;
                        case OP_JMP:
                            stack[sp++] = out[pc];
                            break;
                        case OP_SPLIT:
                            stack[sp++] = out1[pc];
                            stack[sp++] = out[pc];
                            break;
                        case OP_BEGIN_TEXT:
                            if (pos == 0) {
                                stack[sp++] = out[pc];
                            }
                            break;
                        case OP_END_TEXT:
                            if (pos == cps.length) {
                                stack[sp++] = out[pc];
                            }
                            break;
                        case OP_WORD_BOUNDARY:
                            if (isWord(prev) != isWord(cur)) {
                                stack[sp++] = out[pc];
                            }
                            break;
                        case OP_NOT_WORD_BOUNDARY:
                            if (isWord(prev) == isWord(cur)) {
                                stack[sp++] = out[pc];
                            }
                            break;
                        default:
                            next[currentSize++] = pc;
                            break;
                    }
                }
            }
            if (pos == cps.length) {
                break;
            }
            // Step every class-consuming thread over the current code point.
            int stepped = 0;
            for (int i = 0; i < currentSize; i++) {
                int pc = next[i];
                if (inClass(classes[out1[pc]], cur)) {
                    current[stepped++] = out[pc];
                }
            }
            currentSize = stepped;
        }
        return false;
    }

    private static boolean isWord(int c) {
        return c >= 0 && (c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_');
    }

    private static boolean inClass(int[] ranges, int c) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (c < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (c > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** A growing instruction list used only while compiling. */
    private static final class Program {
        int[] op = new int[16];
        int[] out = new int[16];
        int[] out1 = new int[16];
        List<int[]> classes = new ArrayList<>();
        int size;
        int start;

        int add(int code, int o, int o1, int[] cls) {
            if (size == MAX_PROGRAM) {
                throw new ProgramTooLarge();
            }
            if (size == op.length) {
                op = Arrays.copyOf(op, size * 2);
                out = Arrays.copyOf(out, size * 2);
                out1 = Arrays.copyOf(out1, size * 2);
            }
            op[size] = code;
            out[size] = o;
            out1[size] = o1;
            if (cls != null) {
                classes.add(cls);
                out1[size] = classes.size() - 1;
            }
            return size++;
        }

        void patch(int pc, int target) {
            out[pc] = target;
        }
    }

    /** Internal signal that a program outgrew {@link #MAX_PROGRAM}; never leaves {@link #compile}. */
    private static final class ProgramTooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProgramTooLarge() {
            super(null, null, false, false);
        }
    }

    /** A parsed expression; compiles itself backwards (continuation-passing) into the program. */
    private interface Node {
        int compile(Program p, int next);
    }

    private record ClassNode(int[] ranges) implements Node {
        public int compile(Program p, int next) {
            return p.add(OP_CLASS, next, -1, ranges);
        }
    }

    private record EmptyNode(int kind) implements Node {
        public int compile(Program p, int next) {
            return p.add(kind, next, -1, null);
        }
    }

    private record ConcatNode(List<Node> parts) implements Node {
        public int compile(Program p, int next) {
            int pc = next;
            for (int i = parts.size() - 1; i >= 0; i--) {
                pc = parts.get(i).compile(p, pc);
            }
            return pc;
        }
    }

    private record AltNode(List<Node> choices) implements Node {
        public int compile(Program p, int next) {
            int pc = choices.get(choices.size() - 1).compile(p, next);
            for (int i = choices.size() - 2; i >= 0; i--) {
                int first = choices.get(i).compile(p, next);
                pc = p.add(OP_SPLIT, first, pc, null);
            }
            return pc;
        }
    }

    /** {@code *}, {@code +} or {@code ?} (greediness is irrelevant: only whether a match exists is asked). */
    private record RepeatNode(Node sub, char kind) implements Node {
        public int compile(Program p, int next) {
            if (kind == '?') {
                return p.add(OP_SPLIT, sub.compile(p, next), next, null);
            }
            int loop = p.add(OP_SPLIT, -1, next, null);
            int body = sub.compile(p, loop);
            p.patch(loop, body);
            return kind == '*' ? loop : body;
        }
    }

    /** {@code {min,max}} repetition; max -1 means unbounded. */
    private record CountedNode(Node sub, int min, int max) implements Node {
        public int compile(Program p, int next) {
            int pc = next;
            if (max < 0) {
                pc = new RepeatNode(sub, '*').compile(p, pc);
            } else {
                for (int k = min; k < max; k++) {
                    pc = p.add(OP_SPLIT, sub.compile(p, pc), pc, null); // x? chained max-min times
                }
            }
            for (int k = 0; k < min; k++) {
                pc = sub.compile(p, pc);
            }
            return pc;
        }
    }

    /** Recursive-descent parser for Go's RE2 syntax with the Perl flag set (ClassNL, OneLine, PerlX, UnicodeGroups). */
    private static final class Parser {
        private final int[] s;
        private int i;
        private int depth;

        Parser(String regex) {
            this.s = regex.codePoints().toArray();
        }

        Node parse() throws BadPatternException {
            Node n = parseAlt();
            if (i != s.length) {
                throw new BadPatternException(); // unexpected ')'
            }
            return n;
        }

        private Node parseAlt() throws BadPatternException {
            if (++depth > 1000) {
                throw new BadPatternException(); // Go caps nesting too (ErrNestingDepth)
            }
            List<Node> choices = new ArrayList<>();
            choices.add(parseConcat());
            while (i < s.length && s[i] == '|') {
                i++;
                choices.add(parseConcat());
            }
            depth--;
            return choices.size() == 1 ? choices.get(0) : new AltNode(List.copyOf(choices));
        }

        private Node parseConcat() throws BadPatternException {
            List<Node> parts = new ArrayList<>();
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
                    Node last = parts.remove(parts.size() - 1);
                    parts.add(bounds == null ? new RepeatNode(last, (char) c)
                            : new CountedNode(last, bounds[0], bounds[1]));
                    lastWasRepeat = true;
                    continue;
                }
                lastWasRepeat = false;
                if (c == '(') {
                    i++;
                    if (i < s.length && s[i] == '?') {
                        throw new BadPatternException(); // flag groups never come out of patternmatcher
                    }
                    Node inner = parseAlt();
                    if (i >= s.length || s[i] != ')') {
                        throw new BadPatternException(); // missing ')'
                    }
                    i++;
                    parts.add(inner);
                } else if (c == '^') {
                    i++;
                    parts.add(new EmptyNode(OP_BEGIN_TEXT));
                } else if (c == '$') {
                    i++;
                    parts.add(new EmptyNode(OP_END_TEXT));
                } else if (c == '.') {
                    i++;
                    parts.add(new ClassNode(new int[] {0, '\n' - 1, '\n' + 1, MAX_RUNE}));
                } else if (c == '[') {
                    parts.add(new ClassNode(parseClass()));
                } else if (c == '\\') {
                    parseBackslash(parts);
                } else {
                    i++;
                    parts.add(literal(c));
                }
            }
            return new ConcatNode(List.copyOf(parts));
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

        private static Node literal(int c) {
            return new ClassNode(new int[] {c, c});
        }

        private void parseBackslash(List<Node> parts) throws BadPatternException {
            if (i + 1 < s.length) {
                switch (s[i + 1]) {
                    case 'A':
                        i += 2;
                        parts.add(new EmptyNode(OP_BEGIN_TEXT));
                        return;
                    case 'z':
                        i += 2;
                        parts.add(new EmptyNode(OP_END_TEXT));
                        return;
                    case 'b':
                        i += 2;
                        parts.add(new EmptyNode(OP_WORD_BOUNDARY));
                        return;
                    case 'B':
                        i += 2;
                        parts.add(new EmptyNode(OP_NOT_WORD_BOUNDARY));
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
                parts.add(new ClassNode(set.toRanges()));
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
}
