package dev.wharf.grammar.parser;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.shell.EnvGetter;
import dev.wharf.grammar.shell.ShellExpansionException;
import dev.wharf.grammar.shell.ShellLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Here-document helpers with BuildKit's semantics (parser.go): recognising a {@code <<WORD} token, finding the
 * heredocs of an instruction line, and removing leading tabs for {@code <<-}.
 *
 * <p>Stateless and thread-safe. The returned {@link Heredoc}s have empty content; the parser fills it in. Words
 * are split by the shell package's {@link ShellLexer}, configured as parser.go configures BuildKit's.
 */
public final class Heredocs {

    /**
     * The lexers parser.go configures: heredocFromMatch lexes a delimiter with SkipUnsetEnv, once without and
     * once with RawQuotes; heredocsFromLine splits a line with RawQuotes, RawEscapes and SkipUnsetEnv. All use
     * {@code \\} whatever the escape directive says.
     */
    private static final ShellLexer DELIMITER = ShellLexer.create().withSkipUnsetEnv(true);
    private static final ShellLexer RAW_DELIMITER = DELIMITER.withRawQuotes(true);
    private static final ShellLexer LINE = RAW_DELIMITER.withRawEscapes(true);

    /** reLeadingTabs {@code (?m)^\t+}; only \n starts a line in Go. */
    private static final Pattern LEADING_TABS = Pattern.compile("^\\t+", Pattern.MULTILINE | Pattern.UNIX_LINES);

    private Heredocs() {
    }

    /**
     * Parses one word such as {@code <<EOF}, {@code <<-'EOF'} or {@code 3<<EOF} (BuildKit's ParseHeredoc).
     *
     * @return empty when the word is not a heredoc
     * @throws DockerfileException when the delimiter cannot be lexed (an unbalanced quote)
     */
    public static Optional<Heredoc> parseWord(String word) throws DockerfileException {
        return parseWord(new InstructionLines("Dockerfile"), word);
    }

    private static Optional<Heredoc> parseWord(InstructionLines grammar, String word) throws DockerfileException {
        Optional<InstructionLines.Marker> marker = grammar.heredocMarker(word);
        if (marker.isEmpty()) {
            return Optional.empty();
        }
        String rest = marker.get().rest();
        if (rest.isEmpty()) {
            return Optional.empty();
        }
        List<String> words;
        List<String> rawWords;
        try {
            words = DELIMITER.processWords(rest, EnvGetter.empty());
            if (words.size() != 1) {
                return Optional.empty();
            }
            rawWords = RAW_DELIMITER.processWords(rest, EnvGetter.empty());
        } catch (ShellExpansionException e) {
            // heredocFromMatch (frontend/dockerfile/parser/parser.go) returns shell.Lex's error as is, with its
            // `failed to process "<word>":` wrapping.
            throw new DockerfileException(null, null, e.getMessage());
        }
        if (rawWords.size() != words.size()) {
            throw new DockerfileException(null, null,
                    "internal lexing of heredoc produced inconsistent results: " + rest);
        }
        String name = words.get(0);
        // quotes anywhere in the delimiter turn expansion off
        boolean expand = quotes(name) == quotes(rawWords.get(0));
        return Optional.of(new Heredoc(name, "", expand, marker.get().chomp(), fileDescriptor(marker.get().digits())));
    }

    /**
     * The heredocs named on an instruction line, in order (BuildKit's heredocsFromLine). Quoted {@code <<} does
     * not count; a line the shell lexer cannot split has none: heredocsFromLine ignores the error of
     * {@code ProcessWords}, whose word list is then empty. That includes {@code ${...}} nested deeper than the
     * shell lexer's limit, where BuildKit (no limit) would still find heredocs.
     *
     * @throws DockerfileException when a heredoc word's delimiter cannot be lexed (see {@link #parseWord})
     */
    public static List<Heredoc> fromLine(String line) throws DockerfileException {
        List<String> words;
        try {
            words = LINE.processWords(line, EnvGetter.empty());
        } catch (ShellExpansionException e) {
            words = List.of();
        }
        List<Heredoc> docs = new ArrayList<>();
        InstructionLines grammar = new InstructionLines("Dockerfile");
        for (String word : words) {
            Optional<Heredoc> doc = parseWord(grammar, word);
            doc.ifPresent(docs::add);
        }
        return docs;
    }

    /** Removes the leading tabs of every line (BuildKit's ChompHeredocContent). */
    public static String chomp(String content) {
        return LEADING_TABS.matcher(content).replaceAll("");
    }

    private static int quotes(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                n++;
            }
        }
        return n;
    }

    /** strconv.ParseUint with errors ignored: empty gives 0; out of range gives the maximum (clamped to int). */
    private static int fileDescriptor(String digits) {
        if (digits.isEmpty()) {
            return 0;
        }
        return new java.math.BigInteger(digits).min(java.math.BigInteger.valueOf(Integer.MAX_VALUE)).intValue();
    }
}
