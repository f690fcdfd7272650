package dev.wharf.builder.sandbox;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts sandbox host processes from one long-lived thread, so that a parent-death signal can tie them to the JVM.
 *
 * <p>Sandboxes start their outer process as {@code setpriv --pdeathsig KILL ...}: when the JVM dies, even by
 * {@code kill -9}, the kernel kills that process, which takes the sandbox's PID namespace with it. Linux delivers the
 * signal when the <em>thread</em> that forked the child exits, not the process; a child forked from a short-lived
 * pool thread would be killed when that thread retires. This launcher's thread therefore lives as long as the JVM
 * (a daemon thread, never shut down). One per sandbox instance; thread-safe.
 */
final class Launcher {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "wharf-sandbox-launcher");
        t.setDaemon(true);
        return t;
    });

    /**
     * Starts {@code command} on the launcher thread with no standard input and a clean environment (a fixed PATH and
     * the C locale), so none of the JVM's variables reach a sandbox or a RUN step through its host-side processes.
     */
    Process start(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        builder.environment().put("LC_ALL", "C");
        return start(builder);
    }

    /**
     * {@code command} prefixed so that it dies with this JVM, for the shell path: {@code setpriv --pdeathsig KILL},
     * then a shell that goes on only if its parent is still this JVM. The JVM hands a command to its spawn helper,
     * which execs it later; a JVM killed in between leaves the command to start as an orphan, whose parent-death
     * signal then waits for a parent that is already gone, and the killed build's step would run on after it (the
     * native helper checks the same with its {@code parent} option, {@link HelperCommand#parent}). The signal is set
     * before the check, so a JVM dying after the check kills the command, and one dying before it fails it.
     */
    static List<String> tiedToJvm(java.nio.file.Path setpriv, java.nio.file.Path sh, List<String> command) {
        List<String> tied = new java.util.ArrayList<>(List.of(setpriv.toString(), "--pdeathsig", "KILL", "--",
                sh.toString(), "-c", "[ \"$PPID\" = " + ProcessHandle.current().pid() + " ] || exit 1; exec \"$@\"",
                "wharf-sandbox"));
        tied.addAll(command);
        return List.copyOf(tied);
    }

    private Process start(ProcessBuilder builder) throws IOException {
        Future<Process> started = thread.submit(builder::start);
        try (DeferredInterrupt deferred = DeferredInterrupt.setAside()) {
            while (true) {
                try {
                    return started.get();
                } catch (InterruptedException e) {
                    // The process may be starting right now; wait for it so it cannot escape supervision.
                    deferred.arrived();
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start " + builder.command().get(0) + ": " + e.getCause(), e.getCause());
        }
    }
}
