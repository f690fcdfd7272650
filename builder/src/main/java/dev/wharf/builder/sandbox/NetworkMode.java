package dev.wharf.builder.sandbox;

/** How a sandboxed process sees the network, as in BuildKit's {@code pb.NetMode} for {@code RUN --network}. */
public enum NetworkMode {
    /** Its own network namespace holding only the loopback interface. */
    NONE,
    /** The host's network namespace; needs the {@code network.host} entitlement in BuildKit. */
    HOST
}
