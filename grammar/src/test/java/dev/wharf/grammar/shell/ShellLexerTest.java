package dev.wharf.grammar.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Focused behaviour of {@link ShellLexer}. Every expected value here was checked against BuildKit's own
 * {@code shell.Lex} (frontend/dockerfile/shell/lex.go at 73ed6825), including the odd ones.
 */
class ShellLexerTest {

    private static final ShellLexer LEX = ShellLexer.create();

    private static EnvGetter env(String... entries) {
        return EnvGetter.fromList(List.of(entries));
    }

    private static String reason(ShellLexer lexer, String word, EnvGetter env) {
        return assertThrows(ShellExpansionException.class, () -> lexer.processWord(word, env)).reason();
    }

    @Test
    void backtickEscapeCharEscapesAndBackslashIsLiteral() throws Exception {
        ShellLexer lexer = ShellLexer.create('`');
        EnvGetter env = env("A=x");
        assertEquals("he$A'x\"", lexer.processWord("he`$A`'x`\"", env));
        assertEquals("a\"b$c`d\\e", lexer.processWord("\"a`\"b`$c``d\\e\"", env));
        assertEquals("a\\b", lexer.processWord("a\\b`", env));
        assertEquals('`', lexer.escapeChar());
    }

    @Test
    void escapeCharMustBeBackslashOrBacktick() {
        assertThrows(IllegalArgumentException.class, () -> ShellLexer.create('x'));
        assertSame(ShellLexer.create(), ShellLexer.create('\\'));
    }

    @Test
    void nestedDefaultsExpandInnerReferences() throws Exception {
        ExpansionResult none = LEX.processWordWithMatches("${a:-${b}}", env());
        assertEquals("", none.value());
        // The default word is expanded before the outer variable is looked up.
        assertEquals(List.of("b", "a"), List.copyOf(none.unmatched()));
        assertTrue(none.matched().isEmpty());

        ExpansionResult inner = LEX.processWordWithMatches("${a:-${b}}", env("b=y"));
        assertEquals("y", inner.value());
        assertEquals(List.of("b"), List.copyOf(inner.matched()));
        assertEquals(List.of("a"), List.copyOf(inner.unmatched()));

        assertEquals("ccc", LEX.processWord("${aaa:-${bbb:-ccc}}", env()));
    }

    @Test
    void quotesInsideBracesAreProcessed() throws Exception {
        EnvGetter env = env("b=y");
        assertEquals("${b}", LEX.processWord("${a:-'${b}'}", env));
        assertEquals("y }", LEX.processWord("${a:-\"${b} }\"}", env));
        assertEquals("}", LEX.processWord("${a:-'}'}", env));
        // A quoted glob character is still a glob: quotes are removed before the pattern is converted.
        assertEquals("abc", LEX.processWord("${V#'*'}", env("V=abc")));
    }

    @Test
    void patternRemovalShortestAndLongest() throws Exception {
        EnvGetter env = env("V=abcabc", "F=path/to/file.tar.gz");
        assertEquals("abca", LEX.processWord("${V%b*}", env));
        assertEquals("a", LEX.processWord("${V%%b*}", env));
        assertEquals("cabc", LEX.processWord("${V#*b}", env));
        assertEquals("c", LEX.processWord("${V##*b}", env));
        assertEquals("file.tar.gz path/to/file path/to/file.tar to/file.tar.gz",
                LEX.processWord("${F##*/} ${F%%.*} ${F%.*} ${F#*/}", env));
        assertEquals("a", LEX.processWord("${V%\\}*}", env("V=a}b")));
    }

    @Test
    void substitutionFirstAndAll() throws Exception {
        EnvGetter env = env("V=abcabc");
        assertEquals("aXcabc", LEX.processWord("${V/b/X}", env));
        assertEquals("aXcaXc", LEX.processWord("${V//b/X}", env));
        assertEquals("aSc", LEX.processWord("${V/\\*/S}", env("V=a*c")));
        assertEquals("a_b", LEX.processWord("${V/\\//_}", env("V=a/b")));
        // An empty pattern matches between all characters for //.
        assertEquals("-x-y-", LEX.processWord("${V///-}", env("V=xy")));
    }

    @Test
    void replaceAllExpandsGoTemplateButReplaceFirstDoesNot() throws Exception {
        // BuildKit uses Regexp.ReplaceAllString for //, whose replacement is a template: $0 is the match.
        EnvGetter env = env("V=abcabc");
        assertEquals("a[\\b]ca[\\b]c", LEX.processWord("${V//b/[\\$0]}", env));
        assertEquals("a[\\$0]cabc", LEX.processWord("${V/b/[\\$0]}", env));
        EnvGetter templates = env("V=aXbXc", "R=<${0}|$00|$1|$x|$|${0|$$>");
        assertEquals("a<X||||$|${0|$>b<X||||$|${0|$>c", LEX.processWord("${V//X/$R}", templates));
    }

    @Test
    void wildcardsDoNotMatchNewlines() throws Exception {
        EnvGetter env = env("V=a\nb");
        assertEquals("\nb", LEX.processWord("${V##*}", env));
        assertEquals("a\n", LEX.processWord("${V%%*}", env));
        assertEquals("x\nx", LEX.processWord("${V//?/x}", env));
    }

    @Test
    void patternsWorkOnCodePoints() throws Exception {
        assertEquals("국어한|한국어|한-어한", LEX.processWord("${V#?}|${V%한}|${V/국/-}", env("V=한국어한")));
    }

    @Test
    void invalidPatternMessagesMatchBuildKit() {
        assertEquals("invalid pattern (\\x) in substitution: invalid escape '\\x'",
                reason(LEX, "${V#\\x}", env("V=abc")));
        // % reverses the pattern first, and the message shows the reversed pattern.
        assertEquals("invalid pattern (\\ba) in substitution: invalid escape '\\b'",
                reason(LEX, "${V%$P}", env("V=abc", "P=ab\\")));
        assertEquals("invalid pattern (ab\\) in substitution: invalid escape '\\\uFFFD'",
                reason(LEX, "${V#$P}", env("V=abc", "P=ab\\")));
    }

    @Test
    void requiredVariableMessages() {
        assertEquals("V: is not allowed to be unset", reason(LEX, "${V:?}", env()));
        assertEquals("V: is not allowed to be unset", reason(LEX, "${V?}", env()));
        assertEquals("V: is not allowed to be empty", reason(LEX, "${V:?}", env("V=")));
        assertEquals("V: custom  msg", reason(LEX, "${V:?custom $V msg}", env("V=")));
        ShellExpansionException e = assertThrows(ShellExpansionException.class,
                () -> LEX.processWord("${V:?}", env()));
        assertEquals("failed to process \"${V:?}\": V: is not allowed to be unset", e.getMessage());
        assertEquals("${V:?}", e.word());
    }

    @Test
    void syntaxErrorMessages() {
        assertEquals("syntax error: bad substitution", reason(LEX, "he${}", env()));
        assertEquals("syntax error: bad substitution", reason(LEX, "${:-x}", env()));
        assertEquals("syntax error: missing '}'", reason(LEX, "${", env()));
        assertEquals("syntax error: missing '}'", reason(LEX, "${V:-'abc}", env()));
        assertEquals("syntax error: missing '/' in ${}", reason(LEX, "${V//x}", env()));
        // Go's string(EOF) is U+FFFD.
        assertEquals("unsupported modifier (\uFFFD) in substitution", reason(LEX, "he${PWD", env()));
        assertEquals("unsupported modifier (:#) in substitution", reason(LEX, "${V:#x}", env()));
        assertEquals("unsupported modifier (:x) in substitution", reason(LEX, "${V:x}", env()));
        assertEquals("unsupported modifier (:/) in substitution", reason(LEX, "${V:/a/b}", env("V=abc")));
        assertEquals("unsupported modifier (=) in substitution", reason(LEX, "${V=x}", env()));
        assertEquals("unexpected end of statement while looking for matching single-quote",
                reason(LEX, "'abc", env()));
        assertEquals("unexpected end of statement while looking for matching double-quote",
                reason(LEX, "\"abc", env()));
    }

    @Test
    void anErrorAtTheEndOfTheWordBecomesMissingBrace() {
        // processDollar replaces any nested error with "missing '}'" once the input is used up.
        assertEquals("syntax error: missing '}'", reason(LEX, "${a:-${b:?msg}", env()));
        assertEquals("b: msg", reason(LEX, "${a:-${b:?msg}}x", env()));
    }

    @Test
    void positionalAndSpecialParametersAreLookedUpAndEmpty() throws Exception {
        ExpansionResult r = LEX.processWordWithMatches("a \"b c\" ${V:-x} $1 $@ ${#} $$", env());
        assertEquals("a b c x    ", r.value());
        assertEquals(List.of("V", "1", "@", "#", "$"), List.copyOf(r.unmatched()));
        assertEquals("bbb", LEX.processWord("${1:-bbb}", env()));
        // An empty name is looked up too.
        assertEquals(List.of(""), List.copyOf(LEX.processWordWithMatches("${+x}", env()).unmatched()));
    }

    @Test
    void matchedAndUnmatchedReportEveryLookup() throws Exception {
        ExpansionResult r = LEX.processWordWithMatches("${ABC:-.}${FOO%x}${ABC:-.}$BAR", env("FOO=xxyy", "BAR="));
        assertEquals(".xxyy.", r.value());
        assertEquals(List.of("FOO", "BAR"), List.copyOf(r.matched()));
        assertEquals(List.of("ABC"), List.copyOf(r.unmatched()));
        ExpansionResult plain = LEX.processWordWithMatches("plain text", env("FOO=x"));
        assertEquals("plain text", plain.value());
        assertTrue(plain.matched().isEmpty() && plain.unmatched().isEmpty());
    }

    @Test
    void processWordsSplitsUnquotedExpansions() throws Exception {
        EnvGetter env = env("X=a b");
        assertEquals(List.of("pre", "a", "b", "post"), LEX.processWords("pre $X post", env));
        assertEquals(List.of("a b"), LEX.processWords("\"$X\"", env));
        assertEquals(List.of("a", "b"), LEX.processWords("\"\" a '' b", env));
        assertEquals(List.of(), LEX.processWords("  ", env));
        // "<<" and the blanks after it stay in one word (heredoc marker).
        assertEquals(List.of("RUN", "<< EOF", "x"), LEX.processWords("RUN << EOF x", env));
        // Non-ASCII white space splits too (Go's unicode.IsSpace).
        assertEquals(List.of("a", "b", "c"), LEX.processWords("$V", env("V=a\u00a0b\u2003c")));
    }

    @Test
    void processWordsLosesTheUnfinishedWordBeforeAModifierLikeBuildKit() throws Exception {
        // BuildKit's nested ${...} processing resets the shared word buffer: "hello" is dropped.
        assertEquals(List.of("a", "bb", "c"), LEX.processWords("hello${X:-a}b c", env("X=a b")));
        assertEquals(List.of("hellohibye"), LEX.processWords("hello${X}bye", env("X=hi")));
    }

    @Test
    void skipUnsetEnvKeepsReferencesAsWritten() throws Exception {
        ShellLexer lexer = LEX.withSkipUnsetEnv(true);
        assertEquals("a b ${Y} $Z ${Y:-q}", lexer.processWord("$X ${Y} $Z ${Y:-q}", env("X=a b")));
        // The second slash of // is not written back (BuildKit).
        assertEquals("${Y/a/b} ${Y##a} ${Y:+a}", lexer.processWord("${Y//a/b} ${Y##a} ${Y:+a}", env()));
    }

    @Test
    void rawQuotesRawEscapesAndSkipProcessQuotes() throws Exception {
        assertEquals("'q' \"r\"", LEX.withRawQuotes(true).processWord("'q' \"r\"", env()));
        assertEquals("a\\b c\\\\d\\\"", LEX.withRawEscapes(true).processWord("a\\b \"c\\d\\\"\"", env()));
        assertEquals("'q' \"r\"", LEX.withSkipProcessQuotes(true).processWord("'q' \"r\"", env()));
        ShellLexer all = LEX.withRawQuotes(true).withRawEscapes(true).withSkipUnsetEnv(true)
                .withSkipProcessQuotes(true);
        assertTrue(all.rawQuotes() && all.rawEscapes() && all.skipUnsetEnv() && all.skipProcessQuotes());
        assertTrue(!LEX.rawQuotes() && !LEX.rawEscapes() && !LEX.skipUnsetEnv() && !LEX.skipProcessQuotes());
    }

    @Test
    void windowsModeComparesNamesIgnoringCase() throws Exception {
        ShellLexer windows = LEX.withCaseInsensitiveEnv(true);
        ExpansionResult r = windows.processWordWithMatches("$path ${Path:-x}", env("PATH=/bin"));
        assertEquals("/bin /bin", r.value());
        assertEquals(List.of("path", "Path"), List.copyOf(r.matched()));
        assertEquals("", LEX.processWord("$path", env("PATH=/bin")));
        // Rune-wise upper-casing as Go does: U+00DF has no single-rune upper case, so it never equals U+1E9E.
        assertEquals("", windows.processWord("$\u1E9E", env("\u00DF=1")));
        // The last of several spellings wins, with a case-sensitive getter as well as a case-insensitive one.
        assertEquals("2", windows.processWord("$pwd", env("PWD=1", "Pwd=2")));
        assertEquals("2", windows.processWord("$pwd", EnvGetter.fromList(List.of("PWD=1", "Pwd=2"), true)));
    }

    @Test
    void leadingByteOrderMarkIsDroppedLikeGosScanner() throws Exception {
        assertEquals("b", LEX.processWord("\uFEFF$A'b'", env()));
        assertEquals("a\uFEFF", LEX.processWord("a\uFEFF", env()));
    }

    @Test
    void plainWordsComeBackUnchanged() throws Exception {
        String word = "/usr/local/bin:<none>";
        assertSame(word, LEX.processWord(word, env()));
        assertEquals("hello", LEX.processWord("hello\\", env()));
    }

    @Test
    void deepNestingFailsCleanlyEvenOnASmallStack() throws Exception {
        for (String[] shape : new String[][] {{"${a:-", "}"}, {"${a:-\"", "\"}"}, {"${a#${b/", "/x}}"}}) {
            String deep = shape[0].repeat(5000) + "x" + shape[1].repeat(5000);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread thread = new Thread(null, () -> {
                try {
                    LEX.processWord(deep, env());
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }, "small-stack", 256 * 1024);
            thread.start();
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(thrown.get() instanceof ShellExpansionException, () -> shape[0] + ": got " + thrown.get());
        }
        // Moderate nesting is fine.
        String nested = "${a:-".repeat(50) + "x" + "}".repeat(50);
        assertEquals("x", LEX.processWord(nested, env()));
    }

    @Test
    void oneLexerIsSafeToShareBetweenThreads() throws Exception {
        EnvGetter env = EnvGetter.fromMap(Map.of("V", "abcabc", "W", "w"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                results.add(pool.submit(() -> LEX.processWord("${V//b/$W} ${V%%c*} \"$W\"", env)));
            }
            for (Future<String> f : results) {
                assertEquals("awcawc ab w", f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
