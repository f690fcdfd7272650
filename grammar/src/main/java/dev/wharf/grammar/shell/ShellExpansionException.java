package dev.wharf.grammar.shell;

import dev.wharf.grammar.go.GoQuote;
import java.util.Objects;

/**
 * Word expansion failed: a malformed {@code ${...}}, an unterminated quote, an invalid pattern or a
 * {@code ${VAR:?message}} check that did not hold.
 *
 * <p>Immutable. {@link #reason()} is the innermost error text exactly as BuildKit's
 * {@code shell.Lex} produces it (for example {@code syntax error: bad substitution} or
 * {@code VAR: is not allowed to be unset}); {@link #getMessage()} adds BuildKit's wrapping
 * {@code failed to process "<word>": <reason>}. The instruction layer wraps this exception with a
 * source position.
 */
public final class ShellExpansionException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String word;
    private final String reason;

    /**
     * @param word   the word whose expansion failed, as given to the lexer
     * @param reason the innermost error text (BuildKit's message)
     */
    public ShellExpansionException(String word, String reason) {
        super("failed to process " + GoQuote.quote(Objects.requireNonNull(word, "word")) + ": "
                + Objects.requireNonNull(reason, "reason"));
        this.word = word;
        this.reason = reason;
    }

    /** The word whose expansion failed. */
    public String word() {
        return word;
    }

    /** The bare error text, without the {@code failed to process} wrapping. */
    public String reason() {
        return reason;
    }
}
