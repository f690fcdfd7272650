package dev.wharf.grammar.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.grammar.go.GoQuote;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random words made of the characters the lexer treats specially: expansion either succeeds or throws
 * {@link ShellExpansionException}, never anything else, and never hangs.
 */
class ShellLexerFuzzTest {

    private static final int INPUTS = 50_000;
    private static final String[] PIECES = {
        "$", "{", "}", ":", "-", "+", "?", "#", "%", "/", "\\", "'", "\"", "`", "a", "B", "_", "1", "0", "@",
        "*", " ", "\t", "\n", "<", "=", ".", "한", "\uFEFF", "${", "${A", "${A:-", "${A#", "${A//", "\\\\", "**", "\uD83D", "\uD83D\uDD96",
    };
    private static final List<ShellLexer> LEXERS = List.of(
            ShellLexer.create(),
            ShellLexer.create('`'),
            ShellLexer.create().withRawQuotes(true).withSkipUnsetEnv(true),
            ShellLexer.create().withRawEscapes(true),
            ShellLexer.create('`').withSkipProcessQuotes(true).withCaseInsensitiveEnv(true));
    private static final List<EnvGetter> ENVS = List.of(
            EnvGetter.empty(),
            EnvGetter.fromList(List.of("A=a*b?c", "B=\\", "a=", "_=x\ny", "1=one")),
            EnvGetter.fromList(List.of("A=  spaced  out ", "B=*", "AB=\\*/", "b=$0"), true));

    @Test
    void randomWordsOnlyEverThrowShellExpansionException() {
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Random random = new Random(0x5eed_cafeL);
            StringBuilder word = new StringBuilder();
            for (int i = 0; i < INPUTS; i++) {
                word.setLength(0);
                int length = random.nextInt(24);
                for (int k = 0; k < length; k++) {
                    word.append(PIECES[random.nextInt(PIECES.length)]);
                }
                ShellLexer lexer = LEXERS.get(random.nextInt(LEXERS.size()));
                EnvGetter env = ENVS.get(random.nextInt(ENVS.size()));
                outcomes[expand(lexer, word.toString(), env) ? 0 : 1]++;
            }
        });
        assertEquals(INPUTS, outcomes[0] + outcomes[1]);
        assertTrue(outcomes[0] > INPUTS / 10 && outcomes[1] > INPUTS / 10,
                () -> "both outcomes should be common: " + outcomes[0] + " ok, " + outcomes[1] + " errors");
    }

    /** True when the word expands; checks that the three operations agree on success or failure. */
    private static boolean expand(ShellLexer lexer, String word, EnvGetter env) {
        String value = null;
        ShellExpansionException failure = null;
        try {
            value = lexer.processWord(word, env);
        } catch (ShellExpansionException e) {
            failure = e;
        } catch (RuntimeException | Error e) {
            fail("processWord(" + GoQuote.quote(word) + ") with " + lexer + " threw " + e, e);
        }
        try {
            ExpansionResult result = lexer.processWordWithMatches(word, env);
            assertEquals(value, result.value(), () -> "processWordWithMatches(" + GoQuote.quote(word) + ")");
            lexer.processWords(word, env);
        } catch (ShellExpansionException e) {
            assertTrue(failure != null && failure.reason().equals(e.reason()),
                    () -> "operations disagree on " + GoQuote.quote(word) + ": " + e.reason());
        } catch (RuntimeException | Error e) {
            fail("expansion of " + GoQuote.quote(word) + " with " + lexer + " threw " + e, e);
        }
        return failure == null;
    }
}
