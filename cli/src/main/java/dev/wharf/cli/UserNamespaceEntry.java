package dev.wharf.cli;

import dev.wharf.builder.sandbox.SandboxUnavailableException;
import dev.wharf.builder.sandbox.UserNamespaces;
import dev.wharf.layers.store.StoreRoot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Rootless wharf: when a non-root user runs a command that touches the store, the command starts itself again, the
 * same JVM command line, as uid 0 of a user namespace ({@link UserNamespaces}), waits for it and returns its exit
 * code. Parsing and version commands run directly. Stateless.
 */
final class UserNamespaceEntry {
    private static final Set<String> DIRECT = Set.of("parse", "version", "help", "--help", "-h", "--version", "-V");

    private UserNamespaceEntry() {
    }

    /** The exit code of {@code args} run in a user namespace, or empty when this process should run them itself. */
    static Optional<Integer> run(String[] args, PrintWriter err) {
        if (args.length == 0 || DIRECT.contains(args[0]) || !UserNamespaces.needed()) {
            return Optional.empty();
        }
        List<String> self;
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
            self = Arrays.stream(new String(cmdline, StandardCharsets.UTF_8).split("\0")).toList();
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(UserNamespaces.command(self)).inheritIO();
            builder.environment().put(UserNamespaces.MARKER, "1");
            // As uid 0 of the namespace the JVM would take root's home from the passwd file; the store stays the
            // user's (StoreRoot's ~/.local/share/wharf default, here through the equivalent XDG variable).
            if (!builder.environment().containsKey(StoreRoot.XDG_DATA_HOME)
                    || !builder.environment().get(StoreRoot.XDG_DATA_HOME).startsWith("/")) {
                builder.environment().put(StoreRoot.XDG_DATA_HOME,
                        Path.of(System.getProperty("user.home"), ".local", "share").toString());
            }
            // So does the cache of unpacked native libraries (NativeLibraryCache): under root's home the namespace's
            // root cannot write, and without wharf's JNI libc binding the native image (which has no jffi) could
            // not apply a layer at all (the CLI tests against the image found it).
            if (!builder.environment().containsKey("XDG_CACHE_HOME")
                    || !builder.environment().get("XDG_CACHE_HOME").startsWith("/")) {
                builder.environment().put("XDG_CACHE_HOME", Path.of(System.getProperty("user.home"), ".cache")
                        .toString());
            }
            Process child = builder.start();
            // Ctrl-C reaches the child too (same process group); a TERM to this JVM is passed on.
            Thread forward = new Thread(() -> {
                child.destroy();
                try {
                    child.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(forward);
            int code = child.waitFor();
            Runtime.getRuntime().removeShutdownHook(forward);
            return Optional.of(code);
        } catch (SandboxUnavailableException | IOException e) {
            err.println("wharf: cannot enter a user namespace (" + e.getMessage() + "); continuing without one,"
                    + " so RUN steps will fail");
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(ExitCodes.FAILED);
        }
    }
}
