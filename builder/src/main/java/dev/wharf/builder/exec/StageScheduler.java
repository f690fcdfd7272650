package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.StageBase;
import dev.wharf.builder.plan.Step;
import dev.wharf.builder.plan.StepSource;
import dev.wharf.builder.sandbox.DeferredInterrupt;
import java.util.Map;
import java.util.Set;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the stages of a plan in dependency order: a stage starts once the stage it builds on ({@code FROM stage}) is
 * done, and a step that copies or mounts from another stage ({@code COPY --from}, {@code RUN --mount=from=}) waits
 * for that stage ({@link #awaitStage}) when it gets there, not before the stage starts: BuildKit's graph is one of
 * steps, so a final stage's {@code RUN adduser} runs while the Maven stage it later copies the jar from still
 * builds (and is cached even when that build fails). At most {@code parallelism} stages start at a time, in the
 * order they were scheduled; a stage waiting for another lends its place to the next stage in the queue meanwhile
 * (the pool grows by one thread while it waits), so waits cannot take every place. A place is a permit of a fair
 * semaphore, held while a stage runs and given back while it waits: a waiter whose stage is built takes a place
 * again before it goes on, so it waits for one when the stage it lent its place to (or one started since) still
 * runs, and never more than {@code parallelism} stages run at once. The first failure stops the
 * build: the other running stages are interrupted (their processes killed, their snapshots released) and
 * {@link #run} returns only after they have stopped, reporting that first failure.
 *
 * <p>One instance per build; not reusable.
 */
final class StageScheduler {
    /** Builds one stage. */
    @FunctionalInterface
    interface StageRunner {
        BuildExecutor.State run(PlannedStage stage) throws BuildFailedException, InterruptedException;
    }

    private final BuildPlan plan;
    private final int parallelism;
    /** The stages' threads; set by {@link #run}. Its size grows by one per stage waiting in awaitStage. */
    private ThreadPoolExecutor pool;
    private final Map<Integer, CompletableFuture<BuildExecutor.State>> futures = new ConcurrentHashMap<>();
    /** The places stages run in: taken for a stage's run, given back while it waits in {@link #awaitStage}. */
    private final Semaphore places;
    /** Whether this thread's stage holds a place now (false while it waits, or when a take was interrupted). */
    private final ThreadLocal<Boolean> holding = ThreadLocal.withInitial(() -> false);
    /** The failure that stopped the build; later ones (stages interrupted because of it) do not replace it. */
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    StageScheduler(BuildPlan plan, int parallelism) {
        this.plan = plan;
        this.parallelism = parallelism;
        this.places = new Semaphore(parallelism, true);
    }

    /** Runs every stage with {@code runner}; returns the target stage's final state. */
    BuildExecutor.State run(StageRunner runner) throws BuildFailedException, InterruptedException {
        int threads = Math.min(parallelism, plan.stages().size());
        pool = new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "wharf-stage");
                    t.setDaemon(true);
                    return t;
                });
        try {
            for (PlannedStage stage : plan.stages()) {
                schedule(stage, runner);
            }
            CompletableFuture<BuildExecutor.State> target = futures.get(plan.target());
            try {
                return target.get();
            } catch (ExecutionException e) {
                Throwable cause = firstFailure.get() != null ? firstFailure.get()
                        : e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
                if (cause instanceof BuildFailedException failed) {
                    throw failed;
                }
                if (cause instanceof InterruptedException interrupted) {
                    throw interrupted;
                }
                throw new IllegalStateException("stage failed unexpectedly: " + cause, cause);
            }
        } finally {
            // Interrupts stages still running (after a failure or a cancel) and waits until they have released
            // their processes and snapshots.
            pool.shutdownNow();
            awaitStopped(pool);
        }
    }

    /**
     * Waits for the stage threads to stop, also when this thread was interrupted (a cancel): CompletableFuture.get
     * leaves the interrupt set when it throws, so a plain awaitTermination threw at once and the build's thread
     * ended while a stage still killed its processes, and a CLI exiting then left them frozen in their cgroup.
     */
    private static void awaitStopped(ExecutorService pool) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        try (DeferredInterrupt deferred = DeferredInterrupt.setAside()) {
            while (System.nanoTime() - deadline < 0) {
                try {
                    if (pool.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    deferred.arrived();
                }
            }
            throw new InterruptedException("stages did not stop within 5 minutes");
        }
    }

    /**
     * Blocks the calling stage until stage {@code index} is built, its turn given up meanwhile. A failure of that
     * stage fails the build, which interrupts the caller: it ends with an {@link InterruptedException} (the first
     * failure is the one reported).
     */
    void awaitStage(int index) throws InterruptedException {
        CompletableFuture<BuildExecutor.State> future = futures.get(index);
        if (future == null || future.isDone() && !future.isCompletedExceptionally()) {
            return;
        }
        boolean held = holding.get();
        if (held) {
            holding.set(false);
            places.release();
        }
        resizePool(1);
        try {
            future.get();
            if (held) {
                // The lent thread stays until a place is back: the stage that took it may still run.
                places.acquire();
                holding.set(true);
            }
        } catch (ExecutionException e) {
            throw new InterruptedException("stage " + index + " failed");
        } finally {
            resizePool(-1);
        }
    }

    /**
     * Lends (+1) or takes back (-1) a thread's place: a larger core size starts a thread for the next queued stage,
     * a smaller one ends a thread once it is idle.
     */
    private synchronized void resizePool(int by) {
        if (by > 0) {
            pool.setMaximumPoolSize(pool.getMaximumPoolSize() + by);
            pool.setCorePoolSize(pool.getCorePoolSize() + by);
        } else {
            pool.setCorePoolSize(pool.getCorePoolSize() + by);
            pool.setMaximumPoolSize(pool.getMaximumPoolSize() + by);
        }
    }

    private CompletableFuture<BuildExecutor.State> schedule(PlannedStage stage, StageRunner runner) {
        CompletableFuture<BuildExecutor.State> existing = futures.get(stage.index());
        if (existing != null) {
            return existing;
        }
        for (int dep : dependencies(stage)) {
            plan.stage(dep).ifPresent(s -> schedule(s, runner));
        }
        CompletableFuture<?> base = stage.base() instanceof StageBase.Stage b && futures.containsKey(b.index())
                ? futures.get(b.index()) : CompletableFuture.completedFuture(null);
        CompletableFuture<BuildExecutor.State> future = base
                .thenApplyAsync(ignored -> {
                    try {
                        places.acquire();
                        holding.set(true);
                        return runner.run(stage);
                    } catch (BuildFailedException | InterruptedException | RuntimeException | Error e) {
                        // Any failure, an internal error included: a stage waiting on this one is woken with an
                        // InterruptedException, which must not become the reported cause (a cancel, its trace lost).
                        firstFailure.compareAndSet(null, e);
                        throw new CompletionException(e);
                    } finally {
                        if (holding.get()) {
                            holding.set(false);
                            places.release();
                        }
                    }
                }, pool);
        // The first failure stops every other stage: their threads are interrupted, and the stages still queued
        // (which shutdownNow drops, so nothing would ever complete their futures, nor those of the stages waiting
        // on them) fail with it.
        future.whenComplete((result, failure) -> {
            if (failure != null) {
                pool.shutdownNow();
                futures.values().forEach(f -> f.completeExceptionally(failure));
            }
        });
        futures.put(stage.index(), future);
        if (pool.isShutdown()) {
            // A stage failed between this stage's submission and its entry in the map: the failure's sweep above
            // missed it and shutdownNow dropped its task, so nothing else would ever complete it.
            future.completeExceptionally(new CompletionException(new InterruptedException("build stopped")));
        }
        return future;
    }

    /**
     * The stages scheduled before {@code stage}: the one it starts from, which it waits for, then the ones its
     * steps copy or mount from, which only its steps wait for ({@link #awaitStage}).
     */
    private static Set<Integer> dependencies(PlannedStage stage) {
        Set<Integer> deps = new LinkedHashSet<>();
        if (stage.base() instanceof StageBase.Stage base) {
            deps.add(base.index());
        }
        for (Step step : stage.steps()) {
            for (StepSource source : step.sources()) {
                if (source instanceof StepSource.Stage s) {
                    deps.add(s.index());
                }
            }
        }
        return deps;
    }
}
