package dev.wharf.builder.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code ssh-agent} holding the keys of {@code --ssh ID=KEYFILE[,KEYFILE]}, for the length of one build:
 * what BuildKit's ssh provider does in memory (session/sshforward/sshprovider: key files are parsed and served by an
 * in-process agent). The agent listens on a socket in a new 0700 directory, each key is handed to {@code ssh-add}
 * on its standard input (so the key file's own permissions do not matter, and the key's bytes never reach a command
 * line, a log or a layer), and {@link #close} kills the agent and deletes the directory. A passphrase-protected key
 * is refused with a clear error: {@code ssh-add} runs without a controlling terminal, so it cannot ask for one.
 *
 * <p>The agent is started as {@code setpriv --pdeathsig KILL ssh-agent -D}: it dies with the thread that started it,
 * so a killed JVM leaves no agent behind. Thread-safe; close it once the build is over.
 */
public final class SshKeyAgent implements AutoCloseable {
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final long START_MILLIS = 10_000;

    private final Process agent;
    private final Path dir;
    private final Path socket;

    private SshKeyAgent(Process agent, Path dir, Path socket) {
        this.agent = agent;
        this.dir = dir;
        this.socket = socket;
    }

    /**
     * Starts an agent in a new private directory under {@code parent} and loads {@code keys} into it.
     *
     * @param id the ssh id, for messages
     * @throws SandboxException when {@code ssh-agent}/{@code ssh-add} are missing, a key cannot be read, is not a
     *     private key, or has a passphrase; nothing is left running then
     */
    public static SshKeyAgent start(String id, List<Path> keys, Path parent) throws SandboxException {
        Path dir;
        try {
            dir = Files.createTempDirectory(parent, "ssh-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new SandboxException("--ssh " + id + ": cannot make a private directory for its ssh-agent under "
                    + parent + ": " + e.getMessage(), e);
        }
        Path socket = dir.resolve("agent.sock");
        Process agent = null;
        try {
            agent = start(List.of(tool("setpriv"), "--pdeathsig", "KILL", "--", tool("ssh-agent"), "-D", "-a",
                    socket.toString()));
            SshKeyAgent started = new SshKeyAgent(agent, dir, socket);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
            // Connectable, not merely present: ssh-agent binds its socket before it listens, and an ssh-add in
            // between was refused ("Error connecting to agent: Connection refused", seen under load).
            while (!accepts(socket)) {
                if (!agent.isAlive() || System.nanoTime() > deadline) {
                    agent.destroyForcibly();
                    throw new SandboxException("--ssh " + id + ": ssh-agent did not start: "
                            + drain(agent.getInputStream()).strip());
                }
                Thread.sleep(5);
            }
            for (Path key : keys) {
                started.add(id, key);
            }
            return started;
        } catch (IOException e) {
            close(agent, dir);
            throw new SandboxException("--ssh " + id + ": cannot start ssh-agent (install openssh-client): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            close(agent, dir);
            Thread.currentThread().interrupt();
            throw new SandboxException("--ssh " + id + ": interrupted while starting ssh-agent", e);
        } catch (SandboxException | RuntimeException e) {
            close(agent, dir);
            throw e;
        }
    }

    private static boolean accepts(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open(
                java.net.UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The agent's socket, for {@code RUN --mount=type=ssh}. */
    public Path socket() {
        return socket;
    }

    private void add(String id, Path key) throws SandboxException, IOException, InterruptedException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(key);
        } catch (IOException e) {
            throw new SandboxException("--ssh " + id + ": cannot read the key file " + key + ": " + e.getMessage(), e);
        }
        // setsid: no controlling terminal, so ssh-add can never stop to ask for a passphrase.
        Process add = start(List.of(tool("setsid"), "-w", tool("ssh-add"), "-q", "-"), "SSH_AUTH_SOCK=" + socket);
        try (OutputStream in = add.getOutputStream()) {
            in.write(bytes);
        } catch (IOException e) {
            // ssh-add stopped reading: its message says why.
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
        String out = drain(add.getInputStream());
        if (!add.waitFor(30, TimeUnit.SECONDS)) {
            add.destroyForcibly();
            throw new SandboxException("--ssh " + id + ": ssh-add did not finish loading " + key);
        }
        if (add.exitValue() != 0) {
            if (out.contains("passphrase")) {
                throw new SandboxException("--ssh " + id + ": the key " + key + " is protected by a passphrase, "
                        + "which wharf cannot ask for; load it into your ssh-agent (ssh-add " + key + ") and pass "
                        + "--ssh " + id + "=$SSH_AUTH_SOCK instead");
            }
            throw new SandboxException("--ssh " + id + ": " + key + " is not a usable ssh private key (ssh-add: "
                    + out.strip().replace("(stdin)", key.toString()) + ")");
        }
    }

    /** Kills the agent and deletes its directory. Idempotent. */
    @Override
    public void close() {
        close(agent, dir);
    }

    private static void close(Process agent, Path dir) {
        if (agent != null) {
            agent.destroyForcibly();
            try {
                agent.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // Gone already, or the next start's stale-state sweep takes it.
        }
    }

    private static Process start(List<String> command, String... env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", PATH);
        builder.environment().put("LC_ALL", "C");
        builder.environment().put("SSH_ASKPASS_REQUIRE", "never");
        for (String e : env) {
            int eq = e.indexOf('=');
            builder.environment().put(e.substring(0, eq), e.substring(eq + 1));
        }
        return builder.start();
    }

    private static String drain(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while (out.size() < 65536 && (n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String tool(String name) throws IOException {
        for (String d : PATH.split(":")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IOException(name + " not found on " + PATH);
    }
}
