package dev.wharf.context.ignore;

import dev.wharf.context.ContextException;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.glob.GoGlob;
import dev.wharf.context.glob.GoPaths;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of ignore patterns with moby/patternmatcher's semantics: later patterns win, {@code !pattern}
 * re-includes, and a pattern that matches a parent directory matches everything below it. Immutable and
 * thread-safe (unlike upstream, which compiles lazily and is not safe for concurrent use).
 *
 * <p>Paths are slash-separated and relative to the context root, as fsutil passes them.
 */
public final class PatternMatcher {

    private final List<IgnorePattern> patterns;
    private final boolean exclusions;

    private PatternMatcher(List<IgnorePattern> patterns, boolean exclusions) {
        this.patterns = patterns;
        this.exclusions = exclusions;
    }

    /**
     * patternmatcher's {@code New}: trims each pattern, drops empty ones, cleans it with filepath.Clean, splits off
     * a leading {@code !} and checks the glob syntax.
     *
     * @throws ContextException for a lone {@code !} or a malformed glob, with upstream's wording
     */
    public static PatternMatcher of(List<String> rawPatterns) throws ContextException {
        List<IgnorePattern> out = new ArrayList<>(rawPatterns.size());
        boolean exclusions = false;
        for (String raw : rawPatterns) {
            String p = GoPaths.trimSpace(raw);
            if (p.isEmpty()) {
                continue;
            }
            p = GoPaths.clean(p);
            boolean exclusion = false;
            if (p.charAt(0) == '!') {
                if (p.length() == 1) {
                    throw new ContextException("illegal exclusion pattern: \"!\"");
                }
                exclusion = true;
                p = p.substring(1);
                exclusions = true;
            }
            try {
                GoGlob.validate(p);
            } catch (BadPatternException e) {
                throw new ContextException(e.getMessage(), e);
            }
            out.add(new IgnorePattern(p, exclusion));
        }
        return new PatternMatcher(List.copyOf(out), exclusions);
    }

    /** The compiled patterns, in order. */
    public List<IgnorePattern> patterns() {
        return patterns;
    }

    /** Whether any pattern is an exception ({@code !pattern}). */
    public boolean hasExclusions() {
        return exclusions;
    }

    /**
     * Whether no pattern that excludes (none of the {@code !} ones) can match any path strictly under directory
     * {@code dir}: then, if neither {@code dir} nor a parent of it is matched ({@code dirInfo}, its result, has no
     * pattern matched), nothing under it is matched either (an exception only ever turns "matched" off), and a walk
     * may report its whole subtree without asking. Conservative: false whenever in doubt.
     */
    public boolean matchesNothingUnder(String dir, MatchInfo dirInfo) {
        for (int i = 0; i < dirInfo.size(); i++) {
            if (dirInfo.matched(i)) {
                return false;
            }
        }
        if (dirInfo.size() != patterns.size()) {
            return false; // a result of another matcher, or none
        }
        for (IgnorePattern p : patterns) {
            if (!p.exclusion() && p.canMatchUnder(dir)) {
                return false;
            }
        }
        return true;
    }

    /** Whether there are no patterns at all. */
    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /**
     * patternmatcher's {@code MatchesOrParentMatches}: whether {@code file} or one of its parent directories is
     * matched by the last pattern that applies.
     *
     * @throws BadPatternException when a pattern evaluated on the way does not compile as Go's regexp
     */
    public boolean matchesOrParentMatches(String file) throws BadPatternException {
        boolean matched = false;
        String parentPath = GoPaths.dir(file);
        List<String> parentDirs = GoPaths.split(parentPath, '/');
        for (IgnorePattern pattern : patterns) {
            // Only an inclusion can change "not matched" and only an exclusion can change "matched".
            if (pattern.exclusion() != matched) {
                continue;
            }
            boolean match = pattern.matches(file);
            if (!match && !parentPath.equals(".")) {
                match = anyParentMatches(pattern, parentDirs);
            }
            if (match) {
                matched = !pattern.exclusion();
            }
        }
        return matched;
    }

    /**
     * patternmatcher's {@code MatchesUsingParentResults}: like {@link #matchesOrParentMatches} but takes the
     * parent directory's result instead of re-checking parents; {@link MatchInfo#NONE} makes it check them.
     *
     * @throws BadPatternException when a pattern evaluated on the way does not compile as Go's regexp
     */
    public MatchResult matchesUsingParentResults(String file, MatchInfo parent) throws BadPatternException {
        if (parent.size() != 0 && parent.size() != patterns.size()) {
            throw new IllegalArgumentException("wrong number of values in parentMatched");
        }
        boolean matched = false;
        boolean[] info = new boolean[patterns.size()];
        for (int i = 0; i < patterns.size(); i++) {
            IgnorePattern pattern = patterns.get(i);
            boolean match = parent.size() != 0 && parent.matched(i);
            if (!match) {
                if (pattern.exclusion() != matched) {
                    continue;
                }
                match = pattern.matches(file);
                if (!match && parent.size() == 0) {
                    String parentPath = GoPaths.dir(file);
                    if (!parentPath.equals(".")) {
                        match = anyParentMatches(pattern, GoPaths.split(parentPath, '/'));
                    }
                }
            }
            info[i] = match;
            if (match) {
                matched = !pattern.exclusion();
            }
        }
        return new MatchResult(matched, new MatchInfo(info));
    }

    /** Parent checks ignore evaluation errors, as upstream does ({@code match, _ = pattern.match(...)}). */
    private static boolean anyParentMatches(IgnorePattern pattern, List<String> parentDirs) {
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < parentDirs.size(); i++) {
            if (i > 0) {
                prefix.append('/');
            }
            prefix.append(parentDirs.get(i));
            try {
                if (pattern.matches(prefix.toString())) {
                    return true;
                }
            } catch (BadPatternException ignored) {
                // upstream: match, _ = pattern.match(...) - an error counts as "no match".
            }
        }
        return false;
    }

    @Override
    public String toString() {
        List<String> shown = new ArrayList<>();
        for (IgnorePattern p : patterns) {
            shown.add((p.exclusion() ? "!" : "") + p);
        }
        return "PatternMatcher" + shown;
    }
}
