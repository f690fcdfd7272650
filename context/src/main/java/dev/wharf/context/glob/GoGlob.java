package dev.wharf.context.glob;

import java.nio.charset.StandardCharsets;

/**
 * Go's {@code path/filepath.Match} for Unix separators: {@code *}, {@code ?}, {@code [...]} classes with ranges
 * and {@code ^} negation, and {@code \} escapes, with the same error rules as the Go version BuildKit ships
 * (the remainder of a pattern is checked for syntax even after a mismatch, Go 1.21 and later).
 *
 * <p>Matching works on UTF-8 bytes exactly like Go: literal characters compare byte by byte, {@code ?} and classes
 * consume one rune. Stateless and thread-safe.
 */
public final class GoGlob {

    private static final byte SEPARATOR = '/';

    private GoGlob() {
    }

    /**
     * Matches {@code name} against {@code pattern}.
     *
     * @throws BadPatternException when the pattern is malformed (Go's {@code filepath.ErrBadPattern})
     */
    public static boolean match(String pattern, String name) throws BadPatternException {
        return match(pattern.getBytes(StandardCharsets.UTF_8), name.getBytes(StandardCharsets.UTF_8));
    }

    /** Checks the syntax of {@code pattern} as Go's {@code filepath.Match(pattern, ".")} would. */
    public static void validate(String pattern) throws BadPatternException {
        match(pattern, ".");
    }

    private static boolean match(byte[] pattern, byte[] name) throws BadPatternException {
        int p = 0;
        int n = 0;
        patternLoop:
        while (p < pattern.length) {
            boolean star = false;
            while (p < pattern.length && pattern[p] == '*') {
                p++;
                star = true;
            }
            int chunkStart = p;
            int chunkEnd = scanChunkEnd(pattern, p);
            p = chunkEnd;
            if (star && chunkStart == chunkEnd) {
                // Trailing * matches the rest of the name unless it has a separator.
                for (int i = n; i < name.length; i++) {
                    if (name[i] == SEPARATOR) {
                        return false;
                    }
                }
                return true;
            }
            int rest = matchChunk(pattern, chunkStart, chunkEnd, name, n);
            if (rest >= 0 && (rest == name.length || p < pattern.length)) {
                n = rest;
                continue;
            }
            if (star) {
                for (int i = n; i < name.length && name[i] != SEPARATOR; i++) {
                    int t = matchChunk(pattern, chunkStart, chunkEnd, name, i + 1);
                    if (t >= 0) {
                        if (p == pattern.length && t < name.length) {
                            continue;
                        }
                        n = t;
                        continue patternLoop;
                    }
                }
            }
            // Go checks that the rest of the pattern is well formed before reporting a mismatch.
            while (p < pattern.length) {
                while (p < pattern.length && pattern[p] == '*') {
                    p++;
                }
                int s = p;
                p = scanChunkEnd(pattern, p);
                matchChunk(pattern, s, p, new byte[0], 0);
            }
            return false;
        }
        return n == name.length;
    }

    /** Go's scanChunk without the leading stars: the end of the chunk that starts at {@code from}. */
    private static int scanChunkEnd(byte[] pattern, int from) {
        boolean inRange = false;
        int i = from;
        for (; i < pattern.length; i++) {
            byte c = pattern[i];
            if (c == '\\') {
                if (i + 1 < pattern.length) {
                    i++;
                }
            } else if (c == '[') {
                inRange = true;
            } else if (c == ']') {
                inRange = false;
            } else if (c == '*' && !inRange) {
                break;
            }
        }
        return i;
    }

    /**
     * Go's matchChunk: returns the index in {@code s} after the chunk matched, or -1 if it did not match. The whole
     * chunk is always parsed so syntax errors surface even after a mismatch.
     */
    private static int matchChunk(byte[] pat, int c, int end, byte[] s, int si) throws BadPatternException {
        boolean failed = false;
        while (c < end) {
            if (!failed && si == s.length) {
                failed = true;
            }
            byte ch = pat[c];
            if (ch == '[') {
                int r = 0;
                if (!failed) {
                    long rn = Utf8.decode(s, si);
                    r = Utf8.rune(rn);
                    si += Utf8.width(rn);
                }
                c++;
                boolean negated = false;
                if (c < end && pat[c] == '^') {
                    negated = true;
                    c++;
                }
                boolean matched = false;
                int nrange = 0;
                while (true) {
                    if (c < end && pat[c] == ']' && nrange > 0) {
                        c++;
                        break;
                    }
                    long lo = getEsc(pat, c, end);
                    c = Utf8.next(lo);
                    int hi = Utf8.rune(lo);
                    // getEsc guarantees at least one byte left.
                    if (pat[c] == '-') {
                        long h = getEsc(pat, c + 1, end);
                        c = Utf8.next(h);
                        hi = Utf8.rune(h);
                    }
                    if (Utf8.rune(lo) <= r && r <= hi) {
                        matched = true;
                    }
                    nrange++;
                }
                if (matched == negated) {
                    failed = true;
                }
            } else if (ch == '?') {
                if (!failed) {
                    if (s[si] == SEPARATOR) {
                        failed = true;
                    }
                    si += Utf8.width(Utf8.decode(s, si));
                }
                c++;
            } else {
                if (ch == '\\') {
                    c++;
                    if (c == end) {
                        throw new BadPatternException();
                    }
                }
                if (!failed) {
                    if (pat[c] != s[si]) {
                        failed = true;
                    }
                    si++;
                }
                c++;
            }
        }
        return failed ? -1 : si;
    }

    /** Go's getEsc: one possibly escaped rune of a class, packed with the index after it. */
    private static long getEsc(byte[] pat, int c, int end) throws BadPatternException {
        if (c >= end || pat[c] == '-' || pat[c] == ']') {
            throw new BadPatternException();
        }
        if (pat[c] == '\\') {
            c++;
            if (c >= end) {
                throw new BadPatternException();
            }
        }
        long rn = Utf8.decodeBounded(pat, c, end);
        if (Utf8.rune(rn) == Utf8.RUNE_ERROR && Utf8.width(rn) == 1) {
            throw new BadPatternException();
        }
        int next = c + Utf8.width(rn);
        if (next >= end) {
            throw new BadPatternException();
        }
        return Utf8.pack(Utf8.rune(rn), next);
    }
}
