package dev.wharf.grammar.shell;

/**
 * An error raised inside one expansion; {@link ShellLexer} turns it into a {@link ShellExpansionException}
 * that names the whole word.
 *
 * <p>Lightweight (no stack trace) because the expander unwinds through it and, like BuildKit's
 * {@code processDollar}, sometimes replaces it with another message.
 */
final class ExpansionFailure extends Exception {

    private static final long serialVersionUID = 1L;

    ExpansionFailure(String reason) {
        super(reason, null, false, false);
    }

    String reason() {
        return getMessage();
    }
}
