package dev.wharf.context.walk;

import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.ignore.IgnorePattern;
import dev.wharf.context.ignore.PatternMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * fsutil's shortcuts from the literal prefixes of a walk's patterns: whether a directory that the patterns drop can
 * be left unentered (no pattern of the other polarity could reach inside it), and the directories a native scan may
 * leave unlisted ({@link #pruneHints}). Immutable.
 */
final class PatternPrefixes {
    /** fsutil's {@code patternChars}: a pattern with none of these (after a trailing /* or /**) is a plain prefix. */
    private static final String PATTERN_CHARS = "*[]?^\\";

    /** The include patterns, or null when everything is included. */
    private final PatternMatcher includes;
    /** The exclude patterns, or null when nothing is excluded. */
    private final PatternMatcher excludes;
    private final boolean onlyPrefixIncludes;
    private final boolean onlyPrefixExcludeExceptions;

    PatternPrefixes(PatternMatcher includes, PatternMatcher excludes) {
        this.includes = includes;
        this.excludes = excludes;
        this.onlyPrefixIncludes = this.includes == null || onlyPrefixes(this.includes, false);
        this.onlyPrefixExcludeExceptions = this.excludes == null || onlyPrefixes(this.excludes, true);
    }

    /** Whether directory {@code dir}, which no include pattern matches, is dropped unentered. */
    boolean prunesUnincluded(String dir) {
        return onlyPrefixIncludes && !prefixCouldMatchInside(includes, dir, false);
    }

    /** Whether directory {@code dir}, which the exclude patterns match, is dropped unentered. */
    boolean prunesExcluded(String dir) {
        return onlyPrefixExcludeExceptions
                && (!excludes.hasExclusions() || !prefixCouldMatchInside(excludes, dir, true));
    }

    /** {@link ContextWalker#pruneHints}: this walker's decisions as far as the patterns alone tell them. */
    PruneHints pruneHints() {
        if (excludes == null || includes != null || !onlyPrefixExcludeExceptions) {
            return PruneHints.NONE;
        }
        List<String> paths = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> stems = new ArrayList<>();
        for (IgnorePattern p : excludes.patterns()) {
            String s = p.toString();
            if (p.exclusion()) {
                stems.add(withoutTrailingGlob(p));
            } else if (!containsAny(s, PATTERN_CHARS) && plainRelative(s)) {
                try {
                    if (excludes.matchesOrParentMatches(s) && !(excludes.hasExclusions()
                            && prefixCouldMatchInside(excludes, s, true))) {
                        paths.add(s);
                    }
                } catch (BadPatternException e) {
                    // another pattern fails to evaluate: the walk reports it; prune nothing for this one
                }
            } else if (s.startsWith("**/") && !containsAny(s.substring(3), PATTERN_CHARS)
                    && !s.substring(3).contains("/") && plainRelative(s.substring(3))) {
                names.add(s.substring(3));
            }
        }
        return new PruneHints(paths, names, stems);
    }

    /** A relative path of named components: no empty, "." or ".." component, no leading or trailing slash. */
    private static boolean plainRelative(String s) {
        for (String part : s.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static boolean onlyPrefixes(PatternMatcher m, boolean exclusions) {
        for (IgnorePattern p : m.patterns()) {
            if (p.exclusion() == exclusions && containsAny(withoutTrailingGlob(p), PATTERN_CHARS)) {
                return false;
            }
        }
        return true;
    }

    /** fsutil's skip-dir check: does some pattern of the given polarity start with {@code dir/}? */
    private static boolean prefixCouldMatchInside(PatternMatcher m, String dir, boolean exclusions) {
        String dirSlash = dir + "/";
        for (IgnorePattern p : m.patterns()) {
            if (p.exclusion() != exclusions) {
                continue;
            }
            if ((withoutTrailingGlob(p) + "/").startsWith(dirSlash)) {
                return true;
            }
        }
        return false;
    }

    private static String withoutTrailingGlob(IgnorePattern p) {
        String s = p.toString();
        if (s.endsWith("/**")) {
            s = s.substring(0, s.length() - 3);
        }
        if (s.endsWith("/*")) {
            s = s.substring(0, s.length() - 2);
        }
        return s;
    }

    private static boolean containsAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }
}
