package dev.wharf.grammar.shell;

import java.util.List;
import java.util.Objects;

/**
 * Dockerfile word expansion, equal to BuildKit's {@code shell.Lex} (frontend/dockerfile/shell/lex.go):
 * quote removal, escape processing, {@code $VAR} and {@code ${VAR...}} expansion with the modifiers
 * {@code :- - :+ + :? ? # ## % %% / //}, and optionally word splitting.
 *
 * <p>Immutable and thread-safe (BuildKit's {@code Lex} is neither): configure it with the {@code with...}
 * methods, each of which returns a new lexer, and share it freely. The options are BuildKit's:
 * <ul>
 *   <li>{@code rawQuotes}: keep the quote characters in the result;</li>
 *   <li>{@code rawEscapes}: keep the escape characters in the result;</li>
 *   <li>{@code skipUnsetEnv}: leave references to unset variables as written;</li>
 *   <li>{@code skipProcessQuotes}: treat quotes as ordinary characters;</li>
 *   <li>{@code caseInsensitiveEnv}: compare variable names the Windows way, whatever the {@link EnvGetter}.</li>
 * </ul>
 */
public final class ShellLexer {

    private static final ShellLexer BACKSLASH = new ShellLexer('\\', false, false, false, false, false);

    private final char escapeChar;
    private final boolean rawQuotes;
    private final boolean rawEscapes;
    private final boolean skipUnsetEnv;
    private final boolean skipProcessQuotes;
    private final boolean caseInsensitiveEnv;

    private ShellLexer(char escapeChar, boolean rawQuotes, boolean rawEscapes, boolean skipUnsetEnv,
                       boolean skipProcessQuotes, boolean caseInsensitiveEnv) {
        this.escapeChar = escapeChar;
        this.rawQuotes = rawQuotes;
        this.rawEscapes = rawEscapes;
        this.skipUnsetEnv = skipUnsetEnv;
        this.skipProcessQuotes = skipProcessQuotes;
        this.caseInsensitiveEnv = caseInsensitiveEnv;
    }

    /** A lexer with the default escape character {@code \} and all options off. */
    public static ShellLexer create() {
        return BACKSLASH;
    }

    /**
     * A lexer with the given escape character and all options off.
     *
     * @throws IllegalArgumentException unless {@code escapeChar} is {@code \} or {@code `} (the only values the
     *                                  escape directive allows)
     */
    public static ShellLexer create(char escapeChar) {
        if (escapeChar == '\\') {
            return BACKSLASH;
        }
        if (escapeChar != '`') {
            throw new IllegalArgumentException("escape character must be \\ or `, got " + escapeChar);
        }
        return new ShellLexer(escapeChar, false, false, false, false, false);
    }

    public char escapeChar() {
        return escapeChar;
    }

    public boolean rawQuotes() {
        return rawQuotes;
    }

    public boolean rawEscapes() {
        return rawEscapes;
    }

    public boolean skipUnsetEnv() {
        return skipUnsetEnv;
    }

    public boolean skipProcessQuotes() {
        return skipProcessQuotes;
    }

    public boolean caseInsensitiveEnv() {
        return caseInsensitiveEnv;
    }

    public ShellLexer withRawQuotes(boolean value) {
        return new ShellLexer(escapeChar, value, rawEscapes, skipUnsetEnv, skipProcessQuotes, caseInsensitiveEnv);
    }

    public ShellLexer withRawEscapes(boolean value) {
        return new ShellLexer(escapeChar, rawQuotes, value, skipUnsetEnv, skipProcessQuotes, caseInsensitiveEnv);
    }

    public ShellLexer withSkipUnsetEnv(boolean value) {
        return new ShellLexer(escapeChar, rawQuotes, rawEscapes, value, skipProcessQuotes, caseInsensitiveEnv);
    }

    public ShellLexer withSkipProcessQuotes(boolean value) {
        return new ShellLexer(escapeChar, rawQuotes, rawEscapes, skipUnsetEnv, value, caseInsensitiveEnv);
    }

    /** Windows mode: {@code $pwd} finds {@code PWD}. */
    public ShellLexer withCaseInsensitiveEnv(boolean value) {
        return new ShellLexer(escapeChar, rawQuotes, rawEscapes, skipUnsetEnv, skipProcessQuotes, value);
    }

    /**
     * Expands {@code word} without word splitting (BuildKit's {@code ProcessWord}): spaces, also those
     * produced by variables, are kept.
     */
    public String processWord(String word, EnvGetter env) throws ShellExpansionException {
        Objects.requireNonNull(word, "word");
        Objects.requireNonNull(env, "env");
        if (isPlain(word)) {
            return word;
        }
        WordExpander expander = new WordExpander(this, word, effective(env), false, false);
        try {
            return expander.expand();
        } catch (ExpansionFailure e) {
            throw new ShellExpansionException(word, e.reason());
        }
    }

    /**
     * Expands {@code word} and splits the result into words (BuildKit's {@code ProcessWords}): unquoted
     * whitespace, including whitespace that unquoted variables expand to, separates words; quoted text and
     * escaped characters never split. Empty words are dropped.
     */
    public List<String> processWords(String word, EnvGetter env) throws ShellExpansionException {
        Objects.requireNonNull(word, "word");
        Objects.requireNonNull(env, "env");
        WordExpander expander = new WordExpander(this, word, effective(env), false, true);
        try {
            expander.expand();
        } catch (ExpansionFailure e) {
            throw new ShellExpansionException(word, e.reason());
        }
        return expander.words();
    }

    /**
     * Like {@link #processWord}, and also reports which variables were looked up (BuildKit's
     * {@code ProcessWordWithMatches}); the build cache and the undefined-variable check need them.
     */
    public ExpansionResult processWordWithMatches(String word, EnvGetter env) throws ShellExpansionException {
        Objects.requireNonNull(word, "word");
        Objects.requireNonNull(env, "env");
        if (isPlain(word)) {
            return new ExpansionResult(word, java.util.Set.of(), java.util.Set.of());
        }
        WordExpander expander = new WordExpander(this, word, effective(env), true, false);
        try {
            String value = expander.expand();
            return new ExpansionResult(value, expander.matched(), expander.unmatched());
        } catch (ExpansionFailure e) {
            throw new ShellExpansionException(word, e.reason());
        }
    }

    private EnvGetter effective(EnvGetter env) {
        return caseInsensitiveEnv ? CaseInsensitiveEnv.of(env) : env;
    }

    /**
     * True when no character of the word is special, so expansion returns it unchanged ({@code <} only
     * matters to word splitting; a byte order mark only at the start).
     */
    private boolean isPlain(String word) {
        int n = word.length();
        if (n > 0 && word.charAt(0) == '\uFEFF') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = word.charAt(i);
            if (c == '$' || c == escapeChar || ((c == '\'' || c == '"') && !skipProcessQuotes)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "ShellLexer[escape=" + escapeChar + ", rawQuotes=" + rawQuotes + ", rawEscapes=" + rawEscapes
                + ", skipUnsetEnv=" + skipUnsetEnv + ", skipProcessQuotes=" + skipProcessQuotes
                + ", caseInsensitiveEnv=" + caseInsensitiveEnv + "]";
    }
}
