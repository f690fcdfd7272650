package dev.wharf.cli;

/** The exit codes of every wharf command, as documented in {@code wharf --help}. */
public final class ExitCodes {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The operation failed: a Dockerfile syntax error, a failed build. */
    public static final int FAILED = 1;
    /** The command line was wrong: an unknown flag, a missing argument. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
