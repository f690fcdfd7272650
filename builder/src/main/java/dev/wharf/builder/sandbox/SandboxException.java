package dev.wharf.builder.sandbox;

/**
 * The checked exception of the sandbox package: a sandbox could not be set up or torn down (as opposed to the
 * process inside failing, which is an {@link ExitStatus}). Messages say what failed and what to do, and keep the
 * runtime's own error text. Immutable once thrown.
 */
public class SandboxException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a user-facing message. */
    public SandboxException(String message) {
        super(message);
    }

    /** Creates an exception with a user-facing message and the underlying cause. */
    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
