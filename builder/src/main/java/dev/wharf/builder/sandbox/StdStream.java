package dev.wharf.builder.sandbox;

/** Which output stream of a sandboxed process a line came from; the numbers are BuildKit's log stream ids. */
public enum StdStream {
    STDOUT(1),
    STDERR(2);

    private final int fd;

    StdStream(int fd) {
        this.fd = fd;
    }

    /** The file descriptor number, as in BuildKit's {@code client.VertexLog.Stream}. */
    public int fd() {
        return fd;
    }
}
