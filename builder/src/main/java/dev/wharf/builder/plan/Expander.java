package dev.wharf.builder.plan;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.instructions.WordExpander;
import dev.wharf.grammar.shell.ExpansionResult;
import dev.wharf.grammar.shell.ShellExpansionException;
import dev.wharf.grammar.shell.ShellLexer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Expands the words of one instruction against one environment and remembers which variables it looked up
 * (BuildKit's {@code ProcessWordWithMatches}), so the step can record the ARGs it used. Errors are located at
 * the instruction.
 *
 * <p>Not thread-safe: one instance per instruction, used by one thread.
 */
final class Expander implements WordExpander {

    private final String file;
    private final ShellLexer lexer;
    private final EnvList env;
    private final SourceRange range;
    private final Set<String> matched = new LinkedHashSet<>();
    private final Set<String> unmatched = new LinkedHashSet<>();
    private final List<Set<String>> unmatchedByWord = new java.util.ArrayList<>();

    Expander(String file, ShellLexer lexer, EnvList env, SourceRange range) {
        this.file = file;
        this.lexer = lexer;
        this.env = env;
        this.range = range;
    }

    @Override
    public String expand(String word) throws DockerfileException {
        return expandWith(lexer, word);
    }

    /**
     * Expands heredoc bodies of COPY/ADD: BuildKit's {@code ExpandRaw} in {@code dispatch}, a lexer with escape
     * {@code \} whatever the escape directive, that leaves quotes alone.
     */
    String expandRaw(String word) throws DockerfileException {
        return expandWith(ShellLexer.create('\\').withSkipProcessQuotes(true), word);
    }

    /** Expands and splits into words (EXPOSE; BuildKit's {@code ProcessWords}). */
    List<String> expandWords(String word) throws DockerfileException {
        expandWith(lexer, word);
        try {
            return lexer.processWords(word, env.getter());
        } catch (ShellExpansionException e) {
            throw error(e);
        }
    }

    /** Variables the expansions found. */
    Set<String> matched() {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(matched));
    }

    /** Variables the expansions looked up and did not find. */
    Set<String> unmatched() {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(unmatched));
    }

    /**
     * The variables each expansion looked up and did not find, one set per expanded word in order: BuildKit's
     * UndefinedVar check reports per word ({@code reportUnmatchedVariables} in dockerfile2llb/convert.go).
     */
    List<Set<String>> unmatchedByWord() {
        return List.copyOf(unmatchedByWord);
    }

    private String expandWith(ShellLexer with, String word) throws DockerfileException {
        try {
            ExpansionResult result = with.processWordWithMatches(word, env.getter());
            matched.addAll(result.matched());
            unmatched.addAll(result.unmatched());
            if (!result.unmatched().isEmpty()) {
                unmatchedByWord.add(java.util.Collections.unmodifiableSet(new LinkedHashSet<>(result.unmatched())));
            }
            return result.value();
        } catch (ShellExpansionException e) {
            throw error(e);
        }
    }

    private DockerfileException error(ShellExpansionException e) {
        // BuildKit's shell.Lex wraps every expansion error as `failed to process "<word>": <reason>`
        // (frontend/dockerfile/shell/lex.go, shellWord.process), and dispatch passes it on unchanged.
        return new DockerfileException(file, range, e.getMessage(), e);
    }
}
