package dev.wharf.grammar.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** BuildKit parser behaviours beyond the conformance files, checked through the dump. */
class BuildKitBehaviourTest {

    private static String dump(String text) throws DockerfileException {
        return NodeDumper.dump(DockerfileParser.parse(text));
    }

    @Test
    void unknownInstructionGetsOneEmptyArgument() throws DockerfileException {
        assertEquals("(foo \"\")", dump("FOO bar baz"));
        assertEquals("(foo [\"--x\"] \"\")", dump("FOO --x bar"));
    }

    @Test
    void onbuildNestsAnyDepthAndKeepsNestedFlags() throws DockerfileException {
        assertEquals("(onbuild (onbuild (run [\"--network=none\"] \"x\")))",
                dump("ONBUILD ONBUILD RUN --network=none x"));
        assertEquals("(onbuild)", dump("ONBUILD"));
        assertEquals(101, depth(DockerfileParser.parse("ONBUILD ".repeat(100) + "RUN x").children().get(0)));
        assertEquals("(onbuild (onbuild (run \"x\")))", NodeDumper.dump(
                DockerfileParser.parse("ONBUILD ONBUILD RUN x")));
    }

    @Test
    void onbuildNestedBeyondAHundredLevelsFailsAsBuildKitsInstructionLayerWould() {
        String text = "ONBUILD ".repeat(8000) + "RUN x";
        DockerfileException e = org.junit.jupiter.api.Assertions.assertThrows(DockerfileException.class,
                () -> DockerfileParser.parse(text));
        assertEquals("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", e.reason());
    }

    private static int depth(Node node) {
        int d = 0;
        for (Optional<Node> n = Optional.of(node); n.isPresent(); n = n.get().child()) {
            d++;
        }
        return d;
    }

    @Test
    void flagsDropQuotesAndEscapesAndStopAtDoubleDash() throws DockerfileException {
        assertEquals("(copy [\"--from=a b\" \"--chown=x\"] \"--notflag\" \"d\")",
                dump("COPY --from='a b' --chown=\\x -- --notflag d"));
        assertEquals("(run [\"--a\"] \"-b\")", dump("RUN --a -b"));
        assertEquals("(run [\"--a\"])", dump("RUN --a --"));
        assertEquals("(run \"x\")", dump("RUN --'' x"));
    }

    @Test
    void nonAsciiFlagBytesAreTakenOneByOneAsBuildKitDoes() throws DockerfileException {
        // extractBuilderFlags writes every byte as a rune: UTF-8 "é" becomes "Ã©"
        assertEquals("(copy [\"--chown=josÃ©\"] \"a\" \"b\")", dump("COPY --chown=josé a b"));
        // and byte 0xA0 (second byte of "à") counts as a space
        assertEquals("(copy [\"--a=Ã\"] \"b\" \"c\")", dump("COPY --a=àb c"));
    }

    @Test
    void maybeJsonFallsBackToShellFormVerbatim() throws DockerfileException {
        assertEquals("(cmd \"[\\\"a\\\" \\\"b\\\"]\")", dump("CMD [\"a\" \"b\"]"));
        assertEquals("(cmd \"['a']\")", dump("CMD ['a']"));
        assertEquals("(cmd)", dump("CMD []"));
        assertEquals("(cmd \"a\" \"b\")", dump("CMD\t[ \"a\" ,\n\"b\" ]".replace("\n", "\r")));
        // a number out of float64 range makes encoding/json fail: shell form, not an error
        assertEquals("(cmd \"[\\\"a\\\", 1e400]\")", dump("CMD [\"a\", 1e400]"));
        // a vertical tab is not JSON white space
        assertEquals("(cmd \"[\\v\\\"a\\\"]\")", dump("CMD [\u000B\"a\"]"));
        assertEquals("(copy \"[a\" \"b]\")", dump("COPY [a b]"));
        assertEquals("(cmd \"\\x00\" \"\uD83D\uDE00\" \"\uFFFD\")", dump("CMD [\"\\u0000\", \"\\ud83d\\ude00\", \"\\ud800\"]"));
    }

    @Test
    void deeplyNestedJsonIsDecidedWithoutExhaustingTheStack() throws DockerfileException {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertTrue(assertThrowsReason("CMD [\"a\", " + deep + "]").contains("strings only"));
        String tooDeep = "[".repeat(10001) + "]".repeat(10001);
        assertEquals(1, DockerfileParser.parse("CMD " + tooDeep).children().get(0).arguments().size());
        assertEquals(1, DockerfileParser.parse("CMD [\"a\", " + "[".repeat(3000)).children().get(0)
                .arguments().size());
    }

    private static String assertThrowsReason(String text) {
        try {
            DockerfileParser.parse(text);
        } catch (DockerfileException e) {
            return e.reason();
        }
        return "no error";
    }

    @Test
    void envOldAndNewFormsKeepQuotesAndEscapes() throws DockerfileException {
        assertEquals("(env \"A\" \"b  c \\\\d\" \"\")", dump("ENV A b  c \\d"));
        assertEquals("(env \"a\" \"\\\"x y\\\"\" \"=\" \"b\" \"'p q'\" \"=\")", dump("ENV a=\"x y\" b='p q'"));
        assertEquals("(arg \"a=1\" \"b\")", dump("ARG a=1 b"));
        assertEquals("(env \"a\" \"b\" \"=\")", dump("ENV a=b \\"));
        // an escaped space does not split
        assertEquals(List.of("a\\ b", "c"), WordSplitter.split("a\\ b c"));
        // the escape char is not special in single quotes
        assertEquals(List.of("'a\\'", "b'"), WordSplitter.split("'a\\' b'"));
        // Unicode spaces split words
        assertEquals(List.of("a", "b"), WordSplitter.split("a\u3000b"));
        assertEquals(List.of("a`", "b"), WordSplitter.split("a` b", '\\'));
        assertEquals(List.of("a` b"), WordSplitter.split("a` b", '`'));
        // the helper takes untrimmed text as BuildKit's parseNameVal does: regexp.Split(rest, 2) keeps an empty key
        assertEquals(List.of("", "a b", ""), NameValues.parse(" a b", "ENV", '\\'));
        assertEquals(List.of("a", "b", "=", "c", "", "="), NameValues.parse("a=b c=", "LABEL", '\\'));
    }

    @Test
    void whitespaceSplitUsesOnlyAsciiSpaces() throws DockerfileException {
        assertEquals("(from \"a\\u3000b\" \"c\")", dump("FROM a\u3000b c"));
        assertEquals("(expose \"80\" \"443\")", dump("EXPOSE 80\t\u000B443"));
    }

    @Test
    void healthcheckTypeWordThenMaybeJson() throws DockerfileException {
        assertEquals("(healthcheck \"NONE\")", dump("HEALTHCHECK NONE"));
        assertEquals("(healthcheck [\"--interval=5s\"] \"CMD\" \"a\" \"b\")",
                dump("HEALTHCHECK --interval=5s CMD [\"a\", \"b\"]"));
        assertEquals("(healthcheck \"CMD\" \"curl -f x\")", dump("HEALTHCHECK CMD curl -f x"));
        assertTrue(DockerfileParser.parse("HEALTHCHECK CMD [\"a\"]").children().get(0).json());
    }

    @Test
    void commentsAboveAnInstructionAreKeptAndAnEmptyCommentResetsThem() throws DockerfileException {
        ParseResult r = DockerfileParser.parse("# syntax=x\n# one\n#\n# two\n  # three\n\nFROM a\nRUN b\n");
        assertEquals(List.of("two", "# three"), r.children().get(0).comments());
        assertEquals(List.of(), r.children().get(1).comments());
        assertEquals(Optional.of("x"), r.directives().syntax());
    }

    @Test
    void continuationRules() throws DockerfileException {
        assertEquals("(run \"a \\\\\\\\\")\n(run \"b\")", dump("RUN a \\\\\nRUN b"));
        assertEquals("(run \"a b\")", dump("RUN a \\\n\\\nb"));
        assertEquals("(run \"a\")", dump("RUN a\\"));
        ParseResult r = DockerfileParser.parse("RUN a \\\n  \n b");
        assertEquals(1, r.warnings().size());
        assertEquals("Empty continuation line found in: RUN a  b", r.warnings().get(0).message());
        assertEquals("(run \"foo\")", dump("\\\nRUN foo"));
        assertEquals("(env \"GOPATH\" \"\\\\go\" \"\")", dump("# escape=`\nENV GOPATH \\go"));
    }

    @Test
    void heredocDetectionFindsNoHeredocsWhenTheLineCannotBeLexed() throws DockerfileException {
        // heredocsFromLine ignores ProcessWords' error and sees no words; the shell lexer's ${} nesting limit
        // (64) is such an error, so a line nested deeper has no heredocs, and parsing still succeeds.
        String shallow = "${a:-".repeat(64) + "}".repeat(64);
        String deep = "${a:-".repeat(65) + "}".repeat(65);
        assertEquals(List.of("EOF"), Heredocs.fromLine("RUN " + shallow + " <<EOF").stream().map(Heredoc::name).toList());
        assertEquals(List.of(), Heredocs.fromLine("RUN " + deep + " <<EOF"));
        assertEquals(List.of(), Heredocs.fromLine("RUN \"<<EOF"));
        assertEquals(2, DockerfileParser.parse("RUN " + deep + " <<EOF\nEOF\n").children().size());
    }

    @Test
    void heredocsAreReadForRunCopyAddAndOnbuildButNotJsonOrOtherInstructions() throws DockerfileException {
        ParseResult r = DockerfileParser.parse("ONBUILD RUN <<A\nx\nA\nUSER <<B\nB\nRUN [\"<<C\"]\n");
        assertEquals(List.of(new Heredoc("A", "x\n", true, false, 0)), r.children().get(0).heredocs());
        assertEquals(4, r.children().size());
        assertEquals("b", r.children().get(2).keyword());
        assertFalse(Heredocs.fromLine("RUN <<- EOF").stream().anyMatch(h -> h.name().equals("EOF")));
        Node run = DockerfileParser.parse("RUN <<-EOF\n\tx\r\n\tEOF\r\n").children().get(0);
        assertEquals("\tx\r\n", run.heredocs().get(0).content());
        assertEquals("run \"<<-EOF\"", NodeDumper.dump(run));
        assertEquals(3, run.endLine());
    }
}
