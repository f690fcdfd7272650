package dev.wharf.builder.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A started sandbox: the host process that owns the sandbox's namespaces, two pumps (on {@link OutputPumps}' threads)
 * passing its output to the listener line by line ({@link OutputLines}), and the
 * teardown to run at the end. Cancelling kills every descendant of the host process (found through {@link ProcessHandle#descendants()}) and the process itself with
 * SIGKILL, after the runtime's own kill hook; PID namespace teardown then takes anything that was missed.
 * Thread-safe.
 */
final class SupervisedProcess implements SandboxProcess {
    private static final int STDERR_TAIL_LINES = 20;
    private static final long KILL_WAIT_MILLIS = 10_000;

    /** Runtime-specific steps around the generic process handling. */
    interface Hooks {
        /** Asks the runtime to kill the container (e.g. {@code runc kill}); must not throw. */
        void kill();

        /** Releases everything after the process has ended; runs exactly once. */
        void release() throws SandboxException;

        /**
         * How the run ended, given how the host process ended and the last line it wrote on stderr (empty when
         * none): a hook may tell an out-of-memory kill or a command that could not be executed apart.
         */
        default ExitStatus classify(ExitStatus status, String lastStderrLine) {
            return status;
        }
    }

    private final Process process;
    private final Hooks hooks;
    private final Path readyMarker;
    private final String runtime;
    private final java.util.concurrent.CountDownLatch pumped = new java.util.concurrent.CountDownLatch(2);
    private final OutputLines lines;
    private final java.util.concurrent.atomic.AtomicReference<RuntimeException> listenerFailure =
            new java.util.concurrent.atomic.AtomicReference<>();
    private volatile ExitStatus.Termination killedAs;
    private boolean released;
    private ExitStatus status;
    private SandboxException setupFailure;

    SupervisedProcess(Process process, OutputListener listener, Hooks hooks, Path readyMarker, String runtime,
                      OutputPumps pumps) {
        this.process = process;
        this.hooks = hooks;
        this.readyMarker = readyMarker;
        this.runtime = runtime;
        this.lines = new OutputLines((stream, text, startNanos, terminated) ->
                deliver(listener, stream, text, startNanos, terminated), STDERR_TAIL_LINES,
                listener.joinsStreams());
        pumps.execute(pump(process.getInputStream(), StdStream.STDOUT));
        pumps.execute(pump(process.getErrorStream(), StdStream.STDERR));
    }

    @Override
    public ExitStatus waitFor() throws InterruptedException, SandboxException {
        process.waitFor();
        return finish();
    }

    @Override
    public ExitStatus waitFor(Duration timeout) throws InterruptedException, SandboxException {
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            kill(ExitStatus.Termination.TIMED_OUT);
        }
        return waitFor();
    }

    @Override
    public void cancel() {
        kill(ExitStatus.Termination.CANCELLED);
    }

    @Override
    public void close() throws SandboxException {
        if (process.isAlive()) {
            cancel();
        }
        boolean interrupted = false;
        while (true) {
            try {
                finish();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (SandboxException e) {
                // A setup failure was already reported by waitFor; closing only has to release.
                break;
            } catch (IllegalStateException e) {
                // A listener failure was already reported by waitFor.
                break;
            }
        }
        try {
            release();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized ExitStatus finish() throws InterruptedException, SandboxException {
        if (status != null) {
            return status;
        }
        if (setupFailure != null) {
            throw setupFailure;
        }
        process.waitFor();
        pumped.await();
        ExitStatus.Termination termination = killedAs == null ? ExitStatus.Termination.EXITED : killedAs;
        if (termination == ExitStatus.Termination.EXITED && !Files.exists(readyMarker)) {
            String tail = String.join("\n", lines.stderrTail());
            release();
            setupFailure = new SandboxException("the " + runtime + " sandbox could not be set up (exit code "
                    + process.exitValue() + ")" + (tail.isEmpty() ? "" : ":\n" + tail));
            throw setupFailure;
        }
        Deque<String> stderrTail = lines.stderrTail();
        String lastStderrLine = stderrTail.isEmpty() ? "" : stderrTail.peekLast();
        status = hooks.classify(new ExitStatus(process.exitValue(), termination), lastStderrLine);
        RuntimeException failed = listenerFailure.get();
        if (failed != null) {
            throw new IllegalStateException("the output listener failed; the process ran to the end", failed);
        }
        return status;
    }

    private synchronized void release() throws SandboxException {
        if (!released) {
            released = true;
            hooks.release();
        }
    }

    private void kill(ExitStatus.Termination reason) {
        if (!process.isAlive()) {
            return;
        }
        killedAs = reason;
        hooks.kill();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MILLIS);
        // Descendants first, parents last, and again until none is left: a process forked during the first pass
        // is caught by the next one. The PID namespace's init dying takes the rest with it anyway.
        List<ProcessHandle> killed = new java.util.ArrayList<>();
        while (process.isAlive() && System.nanoTime() < deadline) {
            List<ProcessHandle> tree = process.toHandle().descendants().collect(Collectors.toList());
            for (int i = tree.size() - 1; i >= 0; i--) {
                tree.get(i).destroyForcibly();
            }
            killed.addAll(tree);
            process.destroyForcibly();
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        // The host process can be gone while a SIGKILLed sandbox process has not run to its end yet (a busy
        // machine): cancel returns only once every process it killed is gone.
        for (ProcessHandle h : killed) {
            while (h.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private Runnable pump(InputStream in, StdStream stream) {
        return () -> {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    lines.chunk(stream, buffer, n, System.nanoTime());
                }
            } catch (IOException e) {
                // The pipe closes when the process is killed; deliver what was read.
            } finally {
                try {
                    lines.streamEnded(stream);
                } finally {
                    pumped.countDown();
                }
            }
        };
    }

    private void deliver(OutputListener listener, StdStream stream, String text, long startNanos,
                         boolean terminated) {
        try {
            listener.onLine(stream, text, startNanos, terminated);
        } catch (RuntimeException e) {
            // A failing listener must not stop the pipe from draining, or the process would block on a full pipe.
            listenerFailure.compareAndSet(null, e);
        }
    }
}
