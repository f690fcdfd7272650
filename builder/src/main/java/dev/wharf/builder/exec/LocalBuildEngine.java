package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.CheckReport;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.api.ImageSummary;
import dev.wharf.builder.api.OutputSink;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link BuildEngine} over local stores: one {@link Workspace} per store root, opened on first use; each build
 * runs on its own thread, and cancelling its future interrupts that thread, which kills the running step's
 * process tree and releases its snapshot. Closing the engine cancels the builds still running and waits for that
 * clean-up, so that a process that closes it on its way out (a CLI's shutdown hook on Ctrl-C) leaves no sandboxed
 * process, frozen cgroup or mount behind.
 *
 * <p>Thread-safe.
 */
public final class LocalBuildEngine implements BuildEngine {
    /** How long {@link #close} waits for cancelled builds to kill their processes and release their snapshots. */
    private static final long CLEAN_UP_SECONDS = 30;

    private final EngineOptions options;
    private final Registries registries;
    private final Map<Path, Workspace> workspaces = new ConcurrentHashMap<>();
    private final ParsedDockerfiles parsed = new ParsedDockerfiles();
    /** The futures of jobs whose thread has not finished yet. */
    private final Set<CompletableFuture<?>> running = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "wharf-build");
        t.setDaemon(true);
        return t;
    });

    public LocalBuildEngine(EngineOptions options) {
        this.options = options;
        this.registries = new Registries(options.registry());
    }

    @Override
    public CompletableFuture<BuildResult> build(BuildRequest request) {
        return submit(request, job -> job.run());
    }

    @Override
    public CompletableFuture<CheckReport> check(BuildRequest request) {
        return submit(request, BuildJob::check);
    }

    @Override
    public CompletableFuture<dev.wharf.builder.api.BuildOutline> outline(BuildRequest request) {
        return submit(request, BuildJob::outline);
    }

    /** What a job does on the engine's threads. */
    private interface JobTask<T> {
        T run(BuildJob job) throws EngineException, InterruptedException;
    }

    private <T> CompletableFuture<T> submit(BuildRequest request, JobTask<T> task) {
        AtomicReference<Thread> worker = new AtomicReference<>();
        CompletableFuture<T> future = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean cancelled = super.cancel(mayInterruptIfRunning);
                Thread t = worker.get();
                if (cancelled && t != null) {
                    t.interrupt();
                }
                return cancelled;
            }
        };
        running.add(future);
        threads.execute(() -> {
            worker.set(Thread.currentThread());
            try {
                if (!future.isDone()) {
                    Path root = request.storeRoot().orElse(options.storeRoot());
                    future.complete(task.run(new BuildJob(workspace(root), options, request, registries, parsed)));
                }
            } catch (InterruptedException e) {
                future.cancel(false);
            } catch (Throwable e) {
                future.completeExceptionally(e);
            } finally {
                worker.set(null);
                Thread.interrupted();
                running.remove(future);
            }
        });
        return future;
    }

    @Override
    public ImageSummary importImage(Path rootfsTar, String reference) throws EngineException {
        return new ImageImporter(workspace(options.storeRoot())).importTar(rootfsTar, reference);
    }

    @Override
    public List<ImageSummary> images() throws EngineException {
        return new ImageImporter(workspace(options.storeRoot())).list();
    }

    @Override
    public int run(String reference, List<String> command, OutputSink output)
            throws EngineException, InterruptedException {
        return new ImageRunner(workspace(options.storeRoot()), options.runtime()).run(reference, command, output);
    }

    @Override
    public ImageSummary pull(String reference, java.util.Optional<String> platform,
                             dev.wharf.builder.api.ProgressListener listener) throws EngineException {
        // The manifest is requested first, on another thread: its round trip and the HTTP client's start overlap
        // the opening of the store (in a fresh CLI process, mostly class loading and initialisation on both sides).
        ImageTransfers.Prefetch pending = ImageTransfers.prefetch(registries, reference, threads);
        return transfers(workspace(options.storeRoot())).pull(pending, platform, listener);
    }

    @Override
    public dev.wharf.builder.api.PushSummary push(String reference,
            dev.wharf.builder.api.OutputCompression compression, dev.wharf.builder.api.ProgressListener listener)
            throws EngineException {
        return transfers(workspace(options.storeRoot())).push(reference, compression, listener);
    }

    private ImageTransfers transfers(Workspace workspace) {
        return new ImageTransfers(workspace.store(), workspace.layerCompressor(), registries);
    }

    private Workspace workspace(Path root) throws EngineException {
        Path key = root.toAbsolutePath().normalize();
        Workspace existing = workspaces.get(key);
        if (existing != null) {
            return existing;
        }
        synchronized (workspaces) {
            existing = workspaces.get(key);
            if (existing == null) {
                existing = Workspace.open(key, options.clock());
                workspaces.put(key, existing);
            }
            return existing;
        }
    }

    @Override
    public void close() {
        // A cancelled step freezes its cgroup, kills every process in it and thaws it again on the job's thread; a
        // JVM that exited in between would leave frozen processes that no signal can end. So wait for the jobs.
        running.forEach(job -> job.cancel(true));
        threads.shutdown();
        try {
            if (!threads.awaitTermination(CLEAN_UP_SECONDS, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (closed.compareAndSet(false, true)) {
            workspaces.values().forEach(Workspace::close);
        }
    }
}
