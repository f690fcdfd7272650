package dev.wharf.cli;

/** The exit codes of every wharf command, as documented in {@code wharf --help}. */
public final class ExitCodes {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The operation failed: a Dockerfile syntax error, a failed build. */
    public static final int FAILED = 1;
    /** An option's value was wrong: a value wharf cannot read, a required option left out. */
    public static final int USAGE = 2;
    /**
     * The command line's flags were wrong: an unknown flag, a flag without its value. docker's exit code for what
     * its flag parser rejects (the docker CLI and buildx both exit 125), so scripts written for docker read it alike.
     */
    public static final int FLAG = 125;
    /** The help text's line for {@link #FLAG}, which every command's exit-code list carries. */
    static final String FLAG_HELP = "125:unknown flag, or a flag without its value";

    private ExitCodes() {
    }
}
