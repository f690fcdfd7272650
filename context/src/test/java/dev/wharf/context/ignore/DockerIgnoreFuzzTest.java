package dev.wharf.context.ignore;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ContextException;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.layers.testing.FuzzOutcomes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Token-level random .dockerignore files (unterminated classes {@code [}, trailing {@code \}, long {@code **} chains,
 * negations, NUL and invalid UTF-8) parsed, compiled and evaluated against deep paths: only {@link ContextException}
 * or {@link BadPatternException} may come out. Complements {@link HostileInputTest}'s character-level inputs. Input
 * {@code i} comes from seed {@code base + i}; {@code -Dwharf.fuzz.ignore.iterations=N} (default 3000) and
 * {@code -Dwharf.fuzz.seed=S} tune it.
 */
class DockerIgnoreFuzzTest {
    private static final String[] TOKENS = {"**", "**/", "/**", "*", "?", "[", "]", "[^", "[!", "[a-", "[z-a]",
        "[[:alpha:]]", "[[:bogus:]]", "[[=a=]]", "\\", "\\\\", "\\[", "!", "#", " ", "\t", "\r", ".", "..", "../",
        "/", "//", "a", "b/", "{", "}", "{1000}", "(", ")", "|", "+", "$", "^", "é", "\u0000", "\uFFFD", "\n", "\n!",
        "x".repeat(300)};
    private static final List<String> PATHS = List.of("a", "a/b", "a/b/c/d/e/f/g/h", "é/[x]/\\", ".a/..b",
            "a/".repeat(200) + "b", "x".repeat(600), "**", "[", "a\nb");

    @Test
    void randomIgnoreFilesFailOnlyWithContextOrBadPatternExceptions() {
        int iterations = Integer.getInteger("wharf.fuzz.ignore.iterations", 3000);
        long base = Long.getLong("wharf.fuzz.seed", 0x16EL);
        int[] evaluations = new int[2];
        FuzzOutcomes outcomes = new FuzzOutcomes(ContextException.class);
        for (int i = 0; i < iterations; i++) {
            long seed = base + i;
            byte[] file = generate(new Random(seed));
            outcomes.attempt(seed, () -> new String(file, StandardCharsets.UTF_8).replace("\n", "\\n"), () -> {
                PatternMatcher m = PatternMatcher.of(IgnoreFile.parse(".dockerignore", file));
                for (String path : PATHS) {
                    try {
                        m.matchesOrParentMatches(path);
                        MatchResult r = m.matchesUsingParentResults(path, MatchInfo.NONE);
                        m.matchesNothingUnder(path, r.info());
                        evaluations[0]++;
                    } catch (BadPatternException e) {
                        // as Go's filepath.Match: a pattern its regexp rejects fails when evaluated
                        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "seed " + seed);
                        evaluations[1]++;
                    }
                }
            });
        }
        System.out.println("dockerignore fuzz: " + iterations + " files (seed " + base + "), " + outcomes + "; "
                + evaluations[0] + " evaluations, " + evaluations[1] + " bad patterns at evaluation");
        outcomes.assertOnlyExpectedOutcomes();
        assertTrue(evaluations[0] > 0 && evaluations[1] > 0, "both evaluation outcomes exercised");
    }

    private static byte[] generate(Random rnd) {
        StringBuilder s = new StringBuilder();
        for (int n = 1 + rnd.nextInt(20); n > 0; n--) {
            String token = TOKENS[rnd.nextInt(TOKENS.length)];
            s.append(rnd.nextInt(30) == 0 ? token.repeat(1 + rnd.nextInt(200)) : token);
        }
        byte[] text = s.toString().getBytes(StandardCharsets.UTF_8);
        if (rnd.nextInt(8) == 0 && text.length > 0) {
            text[rnd.nextInt(text.length)] = (byte) (0x80 + rnd.nextInt(0x80)); // invalid UTF-8
        }
        return text;
    }
}
