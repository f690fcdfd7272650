package dev.wharf.builder.sandbox;

/**
 * This host cannot run sandboxes at all (not Linux, not root, no namespace tools). Callers handle it apart from other
 * failures: a build without RUN steps still works. The message says why and what to install. Immutable once thrown.
 */
public final class SandboxUnavailableException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message says why no sandbox is possible and what to do. */
    public SandboxUnavailableException(String message) {
        super(message);
    }
}
