package dev.wharf.builder.exec;

import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.sandbox.SandboxException;
import dev.wharf.builder.sandbox.SshKeyAgent;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ssh-agent sockets of one build, by {@code --ssh} id: a path that is not a regular file (an agent's socket) is
 * used as it is, as before; key files ({@code --ssh ID=KEY[,KEY]}, as docker and BuildKit take them) are loaded into
 * a private {@link SshKeyAgent} started for the build, which {@link #close} kills, on success, failure and cancel
 * alike. Not thread-safe: made and closed by the build's own thread.
 */
final class SshAgents implements AutoCloseable {
    /** A Unix socket path must fit sockaddr_un's 108 bytes; deeper stores get the agent under /tmp. */
    private static final int MAX_SOCKET_PATH = 100;

    private final Map<String, Path> sockets;
    private final List<SshKeyAgent> agents;

    private SshAgents(Map<String, Path> sockets, List<SshKeyAgent> agents) {
        this.sockets = sockets;
        this.agents = agents;
    }

    /**
     * Starts an agent for every id given key files, under {@code scratch} (the build's own directory).
     *
     * @throws EngineException when a key cannot be loaded (unreadable, not a key, passphrase-protected) or an id
     *     mixes a socket with other paths; no agent is left running then
     */
    static SshAgents start(Map<String, List<Path>> ssh, Path scratch) throws EngineException {
        Map<String, Path> sockets = new TreeMap<>();
        List<SshKeyAgent> agents = new ArrayList<>();
        SshAgents all = new SshAgents(sockets, agents);
        try {
            for (Map.Entry<String, List<Path>> e : ssh.entrySet()) {
                List<Path> paths = e.getValue();
                boolean keys = paths.stream().allMatch(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        || Files.isRegularFile(p));
                if (!keys) {
                    if (paths.size() != 1) {
                        // BuildKit's sshprovider: "only single socket allowed".
                        throw new EngineException("--ssh " + e.getKey() + ": " + paths + " mixes an agent socket "
                                + "with other paths; give one socket, or only key files");
                    }
                    sockets.put(e.getKey(), paths.get(0));
                    continue;
                }
                Path parent = scratch.toString().length() + 24 > MAX_SOCKET_PATH
                        ? Path.of(System.getProperty("java.io.tmpdir")) : scratch;
                SshKeyAgent agent = SshKeyAgent.start(e.getKey(), paths, parent);
                agents.add(agent);
                sockets.put(e.getKey(), agent.socket());
            }
        } catch (SandboxException e) {
            all.close();
            throw new EngineException(e.getMessage(), e);
        } catch (EngineException | RuntimeException e) {
            all.close();
            throw e;
        }
        return all;
    }

    /** The agent socket of each id. */
    Map<String, Path> sockets() {
        return Map.copyOf(sockets);
    }

    /** Kills the build's own agents and deletes their directories. */
    @Override
    public void close() {
        for (SshKeyAgent agent : agents) {
            agent.close();
        }
    }
}
