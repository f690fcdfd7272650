package dev.wharf.builder.sandbox;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A Unix socket that forwards every connection to an ssh-agent socket, for {@code RUN --mount=type=ssh}: like
 * BuildKit's ssh forwarding ({@code session/sshforward}), the socket the step sees is the proxy's, owned by the
 * mount's {@code uid}/{@code gid} with its {@code mode} (default 0600), so a non-root step user can reach the agent
 * and the agent's own socket path never enters the sandbox. The proxy lives as long as the step; closing it ends
 * every connection and deletes the socket. Thread-safe.
 */
public final class SshAgentProxy implements AutoCloseable {
    private final Path socket;
    private final Path agent;
    private final ServerSocketChannel server;
    private final List<SocketChannel> open = new ArrayList<>();
    private final Thread acceptor;

    private SshAgentProxy(Path socket, Path agent, ServerSocketChannel server) {
        this.socket = socket;
        this.agent = agent;
        this.server = server;
        this.acceptor = new Thread(this::accept, "wharf-ssh-agent-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Listens at {@code socket} (a new path) and forwards to {@code agent}.
     *
     * @throws IOException when {@code agent} is not a socket or the proxy cannot be made
     */
    public static SshAgentProxy start(Path socket, Path agent, long uid, long gid, int mode) throws IOException {
        if (!Files.exists(agent) || Files.isDirectory(agent) || Files.isRegularFile(agent)) {
            throw new IOException("ssh agent socket " + agent + " does not exist or is not a socket; start "
                    + "ssh-agent and pass its SSH_AUTH_SOCK with --ssh default=PATH");
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setAttribute(socket, "unix:uid", (int) uid);
            Files.setAttribute(socket, "unix:gid", (int) gid);
            Files.setPosixFilePermissions(socket, permissions(mode));
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(socket);
            throw e;
        }
        return new SshAgentProxy(socket, agent, server);
    }

    /** The proxy's socket, to bind-mount into the sandbox. */
    public Path socket() {
        return socket;
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                SocketChannel upstream;
                try {
                    upstream = SocketChannel.open(UnixDomainSocketAddress.of(agent));
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                synchronized (open) {
                    open.add(client);
                    open.add(upstream);
                }
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(16384);
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                    buffer.clear();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // One side went away; closing the proxy closes the other.
            }
        }, "wharf-ssh-agent-pump");
        t.setDaemon(true);
        t.start();
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (open) {
            for (SocketChannel c : open) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // Already closed by its peer.
                }
            }
            open.clear();
        }
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socket);
    }
}
