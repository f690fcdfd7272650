package dev.wharf.builder.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code git daemon} on 127.0.0.1 and a free port serving bare repositories made with the git CLI under a
 * base directory: {@code git://127.0.0.1:PORT/NAME.git}. Closing stops the daemon (by its own process handle).
 */
public final class GitDaemon implements AutoCloseable {
    private final Path base;
    private final int port;
    private final Process process;

    private GitDaemon(Path base, int port, Process process) {
        this.base = base;
        this.port = port;
        this.process = process;
    }

    /** Starts a daemon exporting every repository under {@code base}. */
    public static GitDaemon start(Path base) throws IOException, InterruptedException {
        HostRequirements.requireTool("git", "apt-get install git");
        Files.createDirectories(base);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder("git", "daemon", "--verbose", "--export-all", "--reuseaddr", "--listen=127.0.0.1",
                "--port=" + port, "--base-path=" + base, base.toString())
                .redirectErrorStream(true).redirectOutput(base.resolve("daemon.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IOException("git daemon did not start: " + Files.readString(base.resolve("daemon.log")));
                }
                Thread.sleep(50);
            }
        }
        return new GitDaemon(base, port, p);
    }

    /** The git:// URL of repository {@code name} (without .git). */
    public String url(String name) {
        return "git://127.0.0.1:" + port + "/" + name + ".git";
    }

    /**
     * Makes (or adds a commit to) the bare repository {@code name} with {@code files} (path to content) on branch
     * main, tags the commit when {@code tag} is not empty, and returns the commit id.
     */
    public String commit(String name, Map<String, String> files, String tag) throws IOException, InterruptedException {
        Path work = base.resolve(name + ".work");
        Path bare = base.resolve(name + ".git");
        if (!Files.exists(work)) {
            Files.createDirectories(work);
            git(work, "init", "-q");
        }
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = work.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "c");
        if (!tag.isEmpty()) {
            git(work, "tag", tag);
        }
        if (!Files.exists(bare)) {
            git(base, "clone", "-q", "--bare", work.toString(), bare.toString());
        } else {
            git(work, "push", "-q", "--tags", bare.toString(), "main");
        }
        return git(work, "rev-parse", "HEAD");
    }

    /**
     * How many upload-pack requests the daemon has served (its {@code --verbose} log): one per {@code ls-remote},
     * one per fetch.
     */
    public long uploadPacks() throws IOException {
        try (var lines = Files.lines(base.resolve("daemon.log"))) {
            return lines.filter(l -> l.contains("Request upload-pack")).count();
        }
    }

    /** Runs git in the work tree of repository {@code name} (made by {@link #commit}); returns its output. */
    public String git(String name, String... args) throws IOException, InterruptedException {
        return git(base.resolve(name + ".work"), args);
    }

    /** Force-pushes {@code refspecs} of repository {@code name}'s work tree to the served repository. */
    public void push(String name, String... refspecs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("push", "-q", "--force", base.resolve(name + ".git").toString()));
        args.addAll(List.of(refspecs));
        git(name, args.toArray(String[]::new));
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
