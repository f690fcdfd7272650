package dev.wharf.context.ignore;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.context.ContextException;
import dev.wharf.context.glob.BadPatternException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random and adversarial ignore files: only the module's own exceptions may come out, and nothing hangs. */
class HostileInputTest {

    private static final String ALPHABET = "ab/*?[]^!\\-.:{}|+$()QEdpLwx0127,\n\r\t #\u00e9\u263a\ufeff";

    @Test
    void randomIgnoreFiles_failOnlyWithContextOrBadPatternExceptions() {
        Random r = new Random(42);
        int evaluated = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            int len = r.nextInt(40);
            for (int k = 0; k < len; k++) {
                text.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
            }
            try {
                List<String> patterns = IgnoreFile.parse(".dockerignore",
                        text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                PatternMatcher m = PatternMatcher.of(patterns);
                for (String path : List.of("a", "a/b", "x/a.b", "é/☺", "a\nb")) {
                    try {
                        m.matchesOrParentMatches(path);
                        m.matchesUsingParentResults(path, MatchInfo.NONE);
                        evaluated++;
                    } catch (BadPatternException expected) {
                        // a pattern Go's regexp rejects fails when evaluated, as upstream
                    }
                }
            } catch (ContextException expected) {
                // invalid pattern, reported to the user
            } catch (RuntimeException e) {
                fail("unexpected " + e + " for " + text, e);
            }
        }
        assertTrue(evaluated > 50_000, "most inputs should be evaluable, got " + evaluated);
    }

    @Test
    void hugeCountedRepetitions_areRejectedNotAllocated() throws Exception {
        List<String> many = new ArrayList<>();
        many.add("?{1000}".repeat(5000));
        PatternMatcher m = PatternMatcher.of(many);
        try {
            m.matchesOrParentMatches("a");
            fail("expected the oversized expression to be rejected");
        } catch (BadPatternException expected) {
            // as Go's ErrLarge
        }
    }

    @Test
    void longPathsAgainstStarHeavyPatterns_stayLinear() throws Exception {
        PatternMatcher m = PatternMatcher.of(List.of("**/*a*a*a*a*a*a*a*a*b"));
        String path = "a".repeat(4000);
        assertTrue(!m.matchesOrParentMatches(path));
    }
}
