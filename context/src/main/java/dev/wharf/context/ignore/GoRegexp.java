package dev.wharf.context.ignore;

import dev.wharf.context.glob.BadPatternException;
import java.util.Arrays;

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



    private final int[] op;
    private final int[] out;
    private final int[] out1;
    private final int[][] classes;
    private final int start;

    private GoRegexp(RegexProgram p) {
        this.op = Arrays.copyOf(p.op, p.size);
        this.out = Arrays.copyOf(p.out, p.size);
        this.out1 = Arrays.copyOf(p.out1, p.size);
        this.classes = p.classes.toArray(new int[0][]);
        this.start = p.start;
    }

    /** Parses a Go regular expression; any syntax error surfaces as Go's {@code ErrBadPattern}, as in patternmatcher. */
    static GoRegexp compile(String regex) throws BadPatternException {
        RegexNode tree = new GoRegexpParser(regex).parse();
        RegexProgram p = new RegexProgram();
        try {
            int match = p.add(RegexProgram.OP_MATCH, -1, -1, null);
            p.start = tree.compile(p, match);
        } catch (RegexProgram.TooLarge e) {
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
                        case RegexProgram.OP_MATCH:
                            return true;
                        case RegexProgram.OP_JMP:
                            stack[sp++] = out[pc];
                            break;
                        case RegexProgram.OP_SPLIT:
                            stack[sp++] = out1[pc];
                            stack[sp++] = out[pc];
                            break;
                        case RegexProgram.OP_BEGIN_TEXT:
                            if (pos == 0) {
                                stack[sp++] = out[pc];
                            }
                            break;
                        case RegexProgram.OP_END_TEXT:
                            if (pos == cps.length) {
                                stack[sp++] = out[pc];
                            }
                            break;
                        case RegexProgram.OP_WORD_BOUNDARY:
                            if (isWord(prev) != isWord(cur)) {
                                stack[sp++] = out[pc];
                            }
                            break;
                        case RegexProgram.OP_NOT_WORD_BOUNDARY:
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

}
