package dev.wharf.context.ignore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ContextException;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.glob.GoPaths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PatternMatcherTest {

    /** Single pattern, path, expected: the behaviour of moby/patternmatcher, cases written for wharf. */
    static Stream<Arguments> singlePattern() {
        return Stream.of(
                // ** in every position
                Arguments.of("**", "file", true),
                Arguments.of("**", "dir/file", true),
                Arguments.of("**/", "file", true),
                Arguments.of("**/**", "dir/file", true),
                Arguments.of("dir/**", "dir/file", true),
                Arguments.of("dir/**", "dir/sub/file", true),
                Arguments.of("dir/**", "dir", false),
                Arguments.of("**/dir", "dir", true),
                Arguments.of("**/dir", "dir/file", true),
                Arguments.of("**/dir", "a/b/dir/file", true),
                Arguments.of("**/sub/*", "a/sub/file", true),
                Arguments.of("**/sub/**", "a/sub/b/file", true),
                Arguments.of("**file", "file", true),
                Arguments.of("**file", "a/b/file", true),
                Arguments.of("**file", "a/b/myfile", true), // suffix match, not a segment match
                Arguments.of("**/file", "a/b/myfile", false),
                Arguments.of("**/file*", "a/b/file.txt", true),
                Arguments.of("**/*.txt", "file.txt", true),
                Arguments.of("**/**/*.txt", "a/b/file.txt", true),
                Arguments.of("**/**/*.txt2", "a/b/file.txt", false),
                Arguments.of("a**/*.txt", "a/file.txt", true),
                Arguments.of("a**/*.txt", "a/b/c/file.txt", true),
                Arguments.of("a/*.txt**", "a/file.txt", true),
                Arguments.of("**/foo/bar", "foo/bar", true),
                Arguments.of("**/foo/bar", "x/y/foo/bar", true),
                Arguments.of("**/.foo", ".foo", true),
                Arguments.of("**/.foo", "bar.foo", false),
                // single star and question mark stop at separators; parent matching still applies
                Arguments.of("*", "file", true),
                Arguments.of("*", "dir/file", true), // the parent "dir" matches
                Arguments.of("*.go", "a.go", true),
                Arguments.of("*.go", "dir/a.go", false),
                Arguments.of("a/*.txt", "a/b/file.txt", false),
                Arguments.of("a/*.txt", "a/file.txt", true),
                Arguments.of("abc?def", "abcZdef", true),
                Arguments.of("abc?def", "abcdef", false),
                Arguments.of("a?b", "a/b", false),
                // classes are Go regexp classes
                Arguments.of("a[b-d]e", "ace", true),
                Arguments.of("a[b-d]e", "aae", false),
                Arguments.of("a[^b-d]e", "aze", true),
                Arguments.of("a[^b-d]e", "ace", false),
                Arguments.of("[[:digit:]]x", "7x", true),
                Arguments.of("[*]", "^]", true), // '*' inside a class becomes [^/]* : [[^/]*] in Go's regexp
                Arguments.of("[?]", "/]", true),
                // regexp metacharacters that are not glob syntax are literal
                Arguments.of(".*", ".foo", true),
                Arguments.of(".*", "foo", false),
                Arguments.of("abc.def", "abcZdef", false),
                Arguments.of("a(b)c/def", "a(b)c/def", true),
                Arguments.of("a.|)$(}+{bc", "a.|)$(}+{bc", true),
                Arguments.of("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true),
                Arguments.of("a^b", "a^b", true), // exact match: no regexp involved
                Arguments.of("a^b*", "a^bc", false), // regexp: ^ is an anchor
                // backslash escapes go to Go's regexp unchanged
                Arguments.of("a\\*b", "a*b", true),
                Arguments.of("a\\*b", "axb", false),
                Arguments.of("a\\\\", "a\\", true),
                Arguments.of("a\\d", "a5", true),
                Arguments.of("a\\d", "ad", false),
                Arguments.of("a\\Q*x", "a[^/]*x$", true),
                // patternmatcher's escape bitmap misses {, } and |: they reach Go's regexp raw
                Arguments.of("a|b", "a|b", true), // exact match, no regexp
                Arguments.of("a|b*", "xb", true), // ^a|b[^/]*$ is an unanchored alternation
                Arguments.of("a|b*", "xyz", false),
                Arguments.of("a{2}*", "aax", true),
                Arguments.of("a{2}*", "a{2}", false),
                // cleaning and parent directories
                Arguments.of("docs", "docs/README.md", true),
                Arguments.of("docs/", "docs/README.md", true),
                Arguments.of("./docs", "docs/a", true),
                Arguments.of("docs/../src", "src/a", true),
                Arguments.of("a/b", "a/b/c/d", true),
                Arguments.of("a/b", "a/bc", false),
                Arguments.of("abc/**", "abc", false));
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @MethodSource
    void singlePattern(String pattern, String path, boolean expected) throws Exception {
        PatternMatcher m = PatternMatcher.of(List.of(pattern));
        assertEquals(expected, m.matchesOrParentMatches(path), "MatchesOrParentMatches");
        assertEquals(expected, walkChain(m, path), "MatchesUsingParentResults along the walk");
        assertEquals(expected, m.matchesUsingParentResults(path, MatchInfo.NONE).matched(), "no parent info");
    }

    static Stream<Arguments> multiplePatterns() {
        return Stream.of(
                Arguments.of(List.of("*.go", "!fileutils.go"), "fileutils.go", false),
                Arguments.of(List.of("!fileutils.go", "*.go"), "fileutils.go", true),
                Arguments.of(List.of("docs", "!docs/README.md"), "docs/README.md", false),
                Arguments.of(List.of("docs", "!docs/README.md"), "docs/other.md", true),
                // An exception with ** in the middle re-includes a file under a directory the exclusion matched:
                // fsutil walks such directories (its prefix shortcut is off when an exception has wildcards), as
                // buildx does; the differential peer's docker 20.10 client skipped them (case 115).
                Arguments.of(List.of("build/**", "!build/**/*.jar"), "build/libs/app.jar", false),
                Arguments.of(List.of("build/**", "!build/**/*.jar"), "build/libs/app.txt", true),
                Arguments.of(List.of("**/tmp/**", "!**/tmp/**/keep"), "x/tmp/y/keep", false),
                Arguments.of(List.of("**/tmp/**", "!**/tmp/**/keep"), "x/tmp/y/z", true),
                Arguments.of(List.of("docs/*", "!docs/README.md"), "docs/README.md", false),
                Arguments.of(List.of("**", "!util/docker/web"), "util/docker/web/foo", false),
                Arguments.of(List.of("**", "!util/docker/web", "util/docker/web/foo"), "util/docker/web/foo", true),
                Arguments.of(List.of("**", "!dist/*.whl"), "dist/a-1.0+x.whl", false),
                // Docker documentation: *.md, !README*.md, README-secret.md
                Arguments.of(List.of("*.md", "!README*.md", "README-secret.md"), "README-secret.md", true),
                Arguments.of(List.of("*.md", "!README*.md", "README-secret.md"), "README.md", false),
                Arguments.of(List.of("*.md", "!README*.md", "README-secret.md"), "CHANGES.md", true),
                Arguments.of(List.of("*.md", "README-secret.md", "!README*.md"), "README-secret.md", false),
                // Docker documentation: */temp*, */*/temp*, temp?
                Arguments.of(List.of("*/temp*"), "somedir/temporary.txt", true),
                Arguments.of(List.of("*/temp*"), "somedir/temp", true),
                Arguments.of(List.of("*/temp*"), "temp.txt", false),
                Arguments.of(List.of("*/*/temp*"), "somedir/subdir/temporary.txt", true),
                Arguments.of(List.of("temp?"), "tempa", true),
                Arguments.of(List.of("temp?"), "tempab", false),
                Arguments.of(List.of("**/*.go"), "a/b/c.go", true),
                // exclusion of a parent never re-includes children matched on their own
                Arguments.of(List.of("a", "!a/b", "a/b/c"), "a/b/c", true),
                Arguments.of(List.of("a", "!a/b"), "a/b/c", false));
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @MethodSource
    void multiplePatterns(List<String> patterns, String path, boolean expected) throws Exception {
        PatternMatcher m = PatternMatcher.of(patterns);
        assertEquals(expected, m.matchesOrParentMatches(path), "MatchesOrParentMatches");
        assertEquals(expected, walkChain(m, path), "MatchesUsingParentResults along the walk");
    }

    @Test
    void exceptionNamingOnlyAParentDirectory_doesNotReincludeAFileExcludedBeforeIt_alongTheWalk() throws Exception {
        // `**/.DS_Store` then `!.config`: the exception is skipped for the directory .config (nothing had matched it
        // yet), so its parent result is false and the walk keeps .config/.DS_Store out, as buildx's fsutil walker
        // (MatchesUsingParentResults) does. MatchesOrParentMatches, which docker 20.10's client walked with, checks
        // the parent afresh and re-includes it: the differential peer sends that file (case 141).
        PatternMatcher m = PatternMatcher.of(List.of("**/.DS_Store", "!.config"));
        assertTrue(walkChain(m, ".config/.DS_Store"));
        assertFalse(m.matchesOrParentMatches(".config/.DS_Store"));
        assertFalse(walkChain(m, ".config/settings.json"));
        assertTrue(walkChain(m, "src/.DS_Store"));
    }

    private static boolean walkChain(PatternMatcher m, String path) throws BadPatternException {
        List<String> parts = GoPaths.split(path, '/');
        MatchInfo info = MatchInfo.NONE;
        boolean matched = false;
        for (int i = 0; i < parts.size(); i++) {
            MatchResult r = m.matchesUsingParentResults(String.join("/", parts.subList(0, i + 1)), info);
            info = r.info();
            matched = r.matched();
        }
        return matched;
    }

    @Test
    void loneExclamationMark_isRejected() {
        ContextException e = assertThrows(ContextException.class, () -> PatternMatcher.of(List.of("!")));
        assertEquals("illegal exclusion pattern: \"!\"", e.getMessage());
    }

    @Test
    void malformedGlob_isRejectedWithGoWording() {
        ContextException e = assertThrows(ContextException.class, () -> PatternMatcher.of(List.of("[")));
        assertEquals("syntax error in pattern", e.getMessage());
    }

    @Test
    void blankPatternsAreDropped_andSpacesTrimmed() throws Exception {
        PatternMatcher m = PatternMatcher.of(List.of("docs", "", "   ", "  !docs/README.md  "));
        assertEquals(2, m.patterns().size());
        assertTrue(m.hasExclusions());
        assertEquals("docs/README.md", m.patterns().get(1).toString());
    }

    @Test
    void regexpThatGoCannotCompile_failsOnlyWhenEvaluated() throws Exception {
        // [z-a] is a valid glob (an empty range) but an invalid Go regexp range.
        PatternMatcher m = PatternMatcher.of(List.of("x*[z-a]"));
        assertThrows(BadPatternException.class, () -> m.matchesOrParentMatches("xa"));
        // An exception that is never evaluated (nothing matched yet) does not fail.
        PatternMatcher m2 = PatternMatcher.of(List.of("!x*[z-a]", "other"));
        assertFalse(m2.matchesOrParentMatches("file"));
    }

    @Test
    void repetitionOfAStar_isABadPatternAtMatchTime() throws Exception {
        PatternMatcher m = PatternMatcher.of(List.of("*{2}")); // ^[^/]*{2}$: nested repetition in Go
        assertThrows(BadPatternException.class, () -> m.matchesOrParentMatches("a"));
    }

    @Test
    void emptyMatcher_matchesNothing() throws Exception {
        PatternMatcher m = PatternMatcher.of(List.of());
        assertTrue(m.isEmpty());
        assertFalse(m.matchesOrParentMatches("a/b"));
    }

    @Test
    void literalEndsCheckedFirst_neverChangeAMatch() throws Exception {
        // Patterns and paths from a small alphabet, wildcards at every place, against the regular expression alone.
        String[] pieces = {"a", "b", ".", "/", "*", "?", "**", "**/", "log", "\u00e9", "x|", "{1}", "[ab]", "^"};
        String[] parts = {"a", "b", ".log", "/", "ab", "x", "\u00e9", "a.b", "|", "{", "ba"};
        java.util.Random r = new java.util.Random(42);
        int compared = 0;
        for (int p = 0; p < 3000; p++) {
            StringBuilder glob = new StringBuilder();
            for (int k = 1 + r.nextInt(5); k > 0; k--) {
                glob.append(pieces[r.nextInt(pieces.length)]);
            }
            String cleaned = GoPaths.clean(glob.toString());
            if (cleaned.startsWith("!")) {
                continue;
            }
            IgnorePattern pattern;
            try {
                dev.wharf.context.glob.GoGlob.validate(cleaned);
                pattern = new IgnorePattern(cleaned, false);
            } catch (BadPatternException e) {
                continue;
            }
            for (int q = 0; q < 40; q++) {
                StringBuilder path = new StringBuilder();
                for (int k = 1 + r.nextInt(5); k > 0; k--) {
                    path.append(parts[r.nextInt(parts.length)]);
                }
                String file = path.toString();
                boolean expected;
                try {
                    expected = pattern.matchesByRegexpAlone(file);
                } catch (BadPatternException e) {
                    assertThrows(BadPatternException.class, () -> pattern.matches(file), cleaned);
                    continue;
                }
                assertEquals(expected, pattern.matches(file), cleaned + " on " + file);
                compared++;
            }
        }
        assertTrue(compared > 50_000, "compared " + compared);
    }

    @Test
    void matchesNothingUnder_isNeverWrong() throws Exception {
        // Whenever a directory is said to have nothing excluded under it, no path under it is matched.
        String[] pieces = {"a", "b", "/", "*", "?", "**", "**/", ".log", "[ab]", "a/b"};
        String[] names = {"a", "b", "ab", "x.log", "a.log", "ba", "c"};
        java.util.Random r = new java.util.Random(7);
        int sealed = 0;
        for (int p = 0; p < 2000; p++) {
            java.util.List<String> lines = new java.util.ArrayList<>();
            for (int n = 1 + r.nextInt(3); n > 0; n--) {
                StringBuilder glob = new StringBuilder(r.nextInt(4) == 0 ? "!" : "");
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    glob.append(pieces[r.nextInt(pieces.length)]);
                }
                lines.add(glob.toString());
            }
            PatternMatcher m;
            try {
                m = PatternMatcher.of(lines);
            } catch (ContextException e) {
                continue;
            }
            for (int d = 0; d < 10; d++) {
                StringBuilder dir = new StringBuilder(names[r.nextInt(names.length)]);
                for (int k = r.nextInt(3); k > 0; k--) {
                    dir.append('/').append(names[r.nextInt(names.length)]);
                }
                MatchResult dirResult;
                try {
                    dirResult = m.matchesUsingParentResults(dir.toString(), MatchInfo.NONE);
                } catch (BadPatternException e) {
                    continue;
                }
                if (!m.matchesNothingUnder(dir.toString(), dirResult.info())) {
                    continue;
                }
                sealed++;
                for (int q = 0; q < 20; q++) {
                    StringBuilder path = new StringBuilder(dir);
                    for (int k = 1 + r.nextInt(3); k > 0; k--) {
                        path.append('/').append(names[r.nextInt(names.length)]);
                    }
                    boolean matched;
                    try {
                        matched = m.matchesOrParentMatches(path.toString());
                    } catch (BadPatternException e) {
                        continue;
                    }
                    assertFalse(matched, lines + ": " + dir + " sealed but " + path + " matches");
                }
            }
        }
        assertTrue(sealed > 1000, "sealed " + sealed);
    }
}
