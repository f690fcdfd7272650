package dev.wharf.builder.sandbox;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that read sandboxes' standard output and error ({@link SupervisedProcess}), kept between runs: a
 * {@code RUN true} cost two thread starts and exits otherwise. Each pump has a thread of its own while it reads (a
 * thread is made when none is idle, so one run's pipes never wait for another's), and an idle thread ends after a
 * minute. Daemon threads: they never keep the JVM alive. One per sandbox instance; thread-safe.
 */
final class OutputPumps implements Executor {
    private static final long IDLE_SECONDS = 60;

    private final AtomicInteger count = new AtomicInteger();
    private final ThreadPoolExecutor threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS,
            TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "wharf-sandbox-output-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    @Override
    public void execute(Runnable pump) {
        threads.execute(pump);
    }
}
