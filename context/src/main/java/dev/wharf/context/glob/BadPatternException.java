package dev.wharf.context.glob;

/**
 * A malformed glob or ignore pattern; its message is Go's {@code filepath.ErrBadPattern} text, "syntax error in
 * pattern", which BuildKit shows to the user. Immutable.
 */
public final class BadPatternException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Go's {@code filepath.ErrBadPattern} message. */
    public static final String MESSAGE = "syntax error in pattern";

    public BadPatternException() {
        super(MESSAGE);
    }
}
