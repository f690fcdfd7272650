package dev.wharf.context.ignore;

import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.glob.GoPaths;
import java.util.List;

/**
 * One compiled pattern of a {@link PatternMatcher}: moby/patternmatcher's {@code Pattern}, with its four match
 * strategies (exact, prefix for a trailing {@code **}, suffix for a leading {@code **}, or a Go regular
 * expression). Immutable and thread-safe.
 *
 * <p>The strategy choice is part of the semantics, not an optimisation: patternmatcher's {@code **foo} matches
 * {@code barfoo} by suffix although the equivalent regular expression would not, and a pattern whose regular
 * expression does not compile fails only when it is evaluated ({@code Pattern.match}).
 */
public final class IgnorePattern {

    private enum MatchType { EXACT, PREFIX, SUFFIX, REGEXP, BAD }

    private final String cleanedPattern;
    private final boolean exclusion;
    private final List<String> dirs;
    private final MatchType type;
    private final GoRegexp regexp;
    /**
     * For a regular expression made of literal text and the wildcards {@code *}, {@code ?} and {@code **} only: the
     * literal text before the first wildcard and after the last one, which every match starts and ends with; null
     * otherwise. Checking them first spares the regular expression most paths of a context (a {@code *.log} or a
     * {@code d38/**}{@code /f3} is tried against every entry), without changing any result.
     */
    private final String literalPrefix;
    private final String literalSuffix;

    IgnorePattern(String cleanedPattern, boolean exclusion) {
        this.cleanedPattern = cleanedPattern;
        this.exclusion = exclusion;
        this.dirs = List.copyOf(GoPaths.split(cleanedPattern, '/'));
        MatchType t;
        GoRegexp re = null;
        StringBuilder regex = new StringBuilder();
        t = translate(cleanedPattern, regex);
        if (t == MatchType.REGEXP) {
            try {
                re = GoRegexp.compile(regex.toString());
            } catch (BadPatternException e) {
                t = MatchType.BAD;
            }
        }
        this.type = t;
        this.regexp = re;
        String[] ends = t == MatchType.REGEXP ? literalEnds(cleanedPattern) : null;
        this.literalPrefix = ends == null ? null : ends[0];
        this.literalSuffix = ends == null ? null : ends[1];
    }

    /**
     * The literal text before the first and after the last wildcard of a pattern whose regular expression is
     * {@code ^}, literal characters, {@code [^/]*}, {@code [^/]}, {@code (.*}{@code /)?} and {@code .*}, then
     * {@code $} (see {@link #translate}); null when the pattern has a character that is not literal there
     * ({@code \ [ ]}, or {@code { } | ^}, which upstream leaves unescaped) or no wildcard.
     */
    private static String[] literalEnds(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            if ("\\[]{}|^".indexOf(pattern.charAt(i)) >= 0) {
                return null;
            }
        }
        int[] cps = pattern.codePoints().toArray();
        int pos = cps.length > 0 && cps[0] == 0xFEFF ? 1 : 0; // as translate skips it
        StringBuilder prefix = new StringBuilder();
        StringBuilder run = new StringBuilder();
        boolean wild = false;
        while (pos < cps.length) {
            int ch = cps[pos++];
            if (ch == '*' || ch == '?') {
                if (ch == '*' && pos < cps.length && cps[pos] == '*') {
                    pos++;
                    if (pos < cps.length && cps[pos] == '/') {
                        pos++; // "**/" is one wildcard, "(.*/)?": the slash is not literal
                    }
                }
                wild = true;
                run.setLength(0);
            } else {
                if (!wild) {
                    prefix.appendCodePoint(ch);
                }
                run.appendCodePoint(ch);
            }
        }
        return wild ? new String[] {prefix.toString(), run.toString()} : null;
    }

    /** The pattern as cleaned by the matcher, without its leading {@code !}. */
    @Override
    public String toString() {
        return cleanedPattern;
    }

    /** Whether this is an exception ({@code !pattern}) that re-includes paths. */
    public boolean exclusion() {
        return exclusion;
    }

    /** The pattern's path segments. */
    List<String> dirs() {
        return dirs;
    }

    /**
     * Whether this pattern may match some path strictly under directory {@code dir} (relative, no trailing slash);
     * false only when no such path can match (an {@code exact} or {@code prefix/**} pattern elsewhere, a glob whose
     * literal beginning leads elsewhere or, without {@code **}, that has fewer slashes than such a path), so a walk
     * may take such a directory's subtree as it is. Conservative: true whenever in doubt ({@code **}{@code /name}).
     */
    boolean canMatchUnder(String dir) {
        String under = dir + "/";
        switch (type) {
            case EXACT:
                return cleanedPattern.startsWith(under);
            case PREFIX: {
                String prefix = cleanedPattern.substring(0, cleanedPattern.length() - 2);
                return prefix.startsWith(under) || under.startsWith(prefix);
            }
            case REGEXP: {
                if (literalPrefix == null) {
                    return true;
                }
                if (!literalPrefix.startsWith(under) && !under.startsWith(literalPrefix)) {
                    return false;
                }
                // Without **, a match has exactly the pattern's slashes ('*' and '?' never match one).
                return cleanedPattern.contains("**") || slashes(cleanedPattern) > slashes(dir);
            }
            default:
                return true;
        }
    }

    private static int slashes(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '/') {
                n++;
            }
        }
        return n;
    }

    /** The regular expression alone, without the literal ends checked first: tests compare both. */
    boolean matchesByRegexpAlone(String path) throws BadPatternException {
        if (type != MatchType.REGEXP) {
            return matches(path);
        }
        return regexp.matches(path);
    }

    /** patternmatcher's {@code Pattern.match} on an already slash-separated path. */
    boolean matches(String path) throws BadPatternException {
        switch (type) {
            case EXACT:
                return path.equals(cleanedPattern);
            case PREFIX:
                return path.startsWith(cleanedPattern.substring(0, cleanedPattern.length() - 2));
            case SUFFIX: {
                String suffix = cleanedPattern.substring(2);
                if (path.endsWith(suffix)) {
                    return true;
                }
                return suffix.charAt(0) == '/' && path.equals(suffix.substring(1));
            }
            case REGEXP:
                if (literalPrefix != null && (path.length() < literalPrefix.length() + literalSuffix.length()
                        || !path.startsWith(literalPrefix) || !path.endsWith(literalSuffix))) {
                    return false;
                }
                return regexp.matches(path);
            default:
                throw new BadPatternException();
        }
    }

    /**
     * patternmatcher's {@code Pattern.compile}: writes the Go regular expression into {@code regex} and returns the
     * strategy. Walks code points like Go's text/scanner, which also skips a leading byte order mark.
     */
    private static MatchType translate(String pattern, StringBuilder regex) {
        regex.append('^');
        MatchType detected = MatchType.EXACT;
        int[] cps = pattern.codePoints().toArray();
        int pos = cps.length > 0 && cps[0] == 0xFEFF ? 1 : 0;
        for (int i = 0; pos < cps.length; i++) {
            int ch = cps[pos++];
            int peek = pos < cps.length ? cps[pos] : -1;
            if (ch == '*') {
                if (peek == '*') {
                    pos++;
                    // Treat **/ as ** so eat the "/".
                    if (pos < cps.length && cps[pos] == '/') {
                        pos++;
                    }
                    if (pos == cps.length) {
                        // "**" at the end: gitignore-like, accept all.
                        if (detected == MatchType.EXACT) {
                            detected = MatchType.PREFIX;
                        } else {
                            regex.append(".*");
                            detected = MatchType.REGEXP;
                        }
                    } else {
                        regex.append("(.*/)?");
                        detected = MatchType.REGEXP;
                    }
                    if (i == 0) {
                        detected = MatchType.SUFFIX;
                    }
                } else {
                    regex.append("[^/]*");
                    detected = MatchType.REGEXP;
                }
            } else if (ch == '?') {
                regex.append("[^/]");
                detected = MatchType.REGEXP;
            } else if (".+()$".indexOf(ch) >= 0) {
                // Upstream means to escape .+()|{}$ too, but its 64-bit escape bitmap cannot hold characters
                // above 63 (shouldEscape in patternmatcher.go), so {, } and | reach Go's regexp unescaped:
                // "a|b*" is an alternation and "*{2}" a repetition.
                regex.append('\\').appendCodePoint(ch);
            } else if (ch == '\\') {
                if (peek != -1) {
                    regex.append('\\').appendCodePoint(cps[pos++]);
                    detected = MatchType.REGEXP;
                } else {
                    regex.append('\\');
                }
            } else if (ch == '[' || ch == ']') {
                regex.appendCodePoint(ch);
                detected = MatchType.REGEXP;
            } else {
                regex.appendCodePoint(ch);
            }
        }
        if (detected == MatchType.REGEXP) {
            regex.append('$');
        }
        return detected;
    }
}
