package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.cache.CacheRecord;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The steps of one build by cache key, so that equal steps of several stages ({@code FROM base AS a} and
 * {@code FROM base AS b} both starting with {@code COPY package.json .}) run once: BuildKit solves the whole build
 * as one graph in which such steps are one vertex (client/llb marshal keeps one op per digest), so it runs them
 * once and shows them once. Without this, stages running at the same time both missed the cache and both ran the
 * step. The first stage to reach a key runs it (the {@linkplain Claim#owner owner}); the others wait for it and
 * take its cache record, or its failure, which they rethrow as is so that it is reported once.
 *
 * <p>The cache being off for a step (--no-cache, --no-cache-filter) does not stop the merge: BuildKit's vertex
 * digests do not include it (it is op metadata, OR-ed when vertices merge), so equal steps still run once, afresh.
 * A step with the cache off does not take a record the owner merely found in the cache, though: it runs the step
 * itself and is the key's owner from then on, as BuildKit's solver merges a vertex without the cache into an active
 * one with it off but not the other way round (solver/jobs.go, loadUnlocked). Within one Dockerfile the stages
 * learn up front ({@link NoCacheSpread}) that an equal step has the cache off, so this only matters where that
 * plan-level match missed.
 *
 * <p>One per build; thread-safe.
 */
final class StepFlights {
    /** What the owner of a key produced: its record, and whether it ran the step in this build. */
    record Outcome(CacheRecord record, boolean fresh) {
        Outcome {
            Objects.requireNonNull(record, "record");
        }
    }

    /**
     * A stage's claim on a key: either the outcome of another stage's run to reuse, or the duty to run the step
     * and {@link #complete} or {@link #fail} the claim, which the waiting stages see.
     */
    static final class Claim {
        private final CompletableFuture<Outcome> flight;
        private final Outcome reused;

        private Claim(CompletableFuture<Outcome> flight, Outcome reused) {
            this.flight = flight;
            this.reused = reused;
        }

        /** Whether this stage runs the step (else it takes {@link #reused}). */
        boolean owner() {
            return reused == null;
        }

        Outcome reused() {
            return reused;
        }

        void complete(CacheRecord record, boolean fresh) {
            if (owner()) {
                flight.complete(new Outcome(record, fresh));
            }
        }

        /** The step failed or was cancelled: the waiting stages fail with {@code error}. */
        void fail(Exception error) {
            if (owner()) {
                flight.completeExceptionally(error);
            }
        }

        /** Fails the waiters if the owner ended without saying how (an Error): they must not wait for ever. */
        void abandon() {
            if (owner() && !flight.isDone()) {
                flight.completeExceptionally(new IllegalStateException("the step ended without a result"));
            }
        }
    }

    private final Map<Object, CompletableFuture<Outcome>> flights = new ConcurrentHashMap<>();

    /**
     * Claims {@code key}: the first caller owns it; later ones wait for the owner's outcome (interruptibly) and
     * reuse it, unless {@code ignoreCache} and the owner only found it in the cache.
     *
     * @throws BuildFailedException the owner's failure, the same instance for every stage
     * @throws InterruptedException when this stage is cancelled while waiting, or the owner was
     */
    Claim claim(Object key, boolean ignoreCache) throws BuildFailedException, InterruptedException {
        while (true) {
            CompletableFuture<Outcome> mine = new CompletableFuture<>();
            CompletableFuture<Outcome> prior = flights.putIfAbsent(key, mine);
            if (prior == null) {
                return new Claim(mine, null);
            }
            Outcome outcome = await(prior);
            if (outcome.fresh() || !ignoreCache) {
                return new Claim(prior, outcome);
            }
            if (flights.replace(key, prior, mine)) {
                return new Claim(mine, null);
            }
        }
    }

    private static Outcome await(CompletableFuture<Outcome> flight) throws BuildFailedException, InterruptedException {
        try {
            return flight.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BuildFailedException failed) {
                throw failed;
            }
            if (cause instanceof InterruptedException) {
                throw Cancellation.of(cause);
            }
            throw new IllegalStateException("a shared step failed unexpectedly: " + cause, cause);
        }
    }
}
