package dev.wharf.cli;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The state of every step of one build as the progress events tell it: name, start and end, cached or failed, the
 * last lines of its output and its transfers. The tty view draws it, and the error report takes the failed step's
 * output tail from it (BuildKit's progressui keeps the same ring of the last 10 log lines per vertex for that).
 *
 * <p>Thread-safe: events arrive on the stage and sandbox output threads; {@link #snapshot} returns immutable views.
 */
final class StepBoard implements ProgressListener {
    /** How many output lines of each step are kept: BuildKit's {@code logsBufferSize}. */
    static final int LOG_TAIL = 10;

    /** A transfer of a step (a layer compressed, a blob pulled or pushed), as last reported. */
    record TransferView(String id, long current, long total, long startedNanos, long endedNanos) {
        boolean done() {
            return endedNanos >= 0;
        }
    }

    /**
     * One step as last reported; {@code endedNanos} is -1 while it runs, {@code error} empty unless it failed.
     * Immutable.
     */
    record StepView(int step, String name, long startedNanos, long endedNanos, boolean cached,
                    Optional<String> error, List<String> logTail, List<TransferView> transfers,
                    List<String> warnings) {
        StepView {
            logTail = List.copyOf(logTail);
            transfers = List.copyOf(transfers);
            warnings = List.copyOf(warnings);
        }

        boolean done() {
            return endedNanos >= 0;
        }

        boolean cancelled() {
            return error.map(BuildEvent.StepFailed.CANCELLED::equals).orElse(false);
        }
    }

    private static final class Step {
        final int number;
        final String name;
        final long started;
        long ended = -1;
        boolean cached;
        String error;
        final Deque<String> tail = new ArrayDeque<>();
        final Map<String, TransferView> transfers = new LinkedHashMap<>();
        final List<String> warnings = new ArrayList<>();

        Step(int number, String name, long started) {
            this.number = number;
            this.name = name;
            this.started = started;
        }

        StepView view() {
            return new StepView(number, name, started, ended, cached, Optional.ofNullable(error),
                    new ArrayList<>(tail), new ArrayList<>(transfers.values()), warnings);
        }
    }

    private final LongSupplier nanoTime;
    private final long startedNanos;
    private final Map<Integer, Step> steps = new LinkedHashMap<>();
    private final List<BuildEvent.Warning> warnings = new ArrayList<>();
    private long version;

    /** A board timing steps with {@code nanoTime} (tests pass a fixed clock). */
    StepBoard(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.startedNanos = nanoTime.getAsLong();
    }

    long startedNanos() {
        return startedNanos;
    }

    long now() {
        return nanoTime.getAsLong();
    }

    @Override
    public synchronized void onEvent(BuildEvent event) {
        if (event instanceof BuildEvent.BlobTransferred b) {
            // A pulled or pushed blob is shown as the finished transfer it is.
            event = new BuildEvent.Transfer(b.step(), b.digest(), b.size(), b.size(), true);
        }
        long now = nanoTime.getAsLong();
        version++;
        if (event instanceof BuildEvent.StepStarted s) {
            steps.put(s.step(), new Step(s.step(), s.label(), now));
        } else if (event instanceof BuildEvent.StepCached c) {
            step(c.step()).cached = true;
        } else if (event instanceof BuildEvent.StepLog l) {
            Deque<String> tail = step(l.step()).tail;
            if (tail.size() == LOG_TAIL) {
                tail.removeFirst();
            }
            // BuildKit prefixes each kept line with the seconds since the step started.
            tail.addLast(logLine(l.elapsed().toNanos(), l.line()));
        } else if (event instanceof BuildEvent.StepDone d) {
            step(d.step()).ended = now;
        } else if (event instanceof BuildEvent.StepFailed f) {
            Step step = step(f.step());
            step.ended = now;
            step.error = f.message();
        } else if (event instanceof BuildEvent.Transfer t) {
            Step step = step(t.step());
            TransferView old = step.transfers.get(t.id());
            long started = old == null ? now : old.startedNanos();
            step.transfers.put(t.id(), new TransferView(t.id(), t.current(), t.total(), started,
                    t.completed() ? now : -1));
        } else if (event instanceof BuildEvent.Warning w) {
            warnings.add(w);
            if (w.step() > 0) {
                step(w.step()).warnings.add(w.message());
            }
        }
    }

    /** A step reported before it started (should not happen) gets a placeholder rather than a crash. */
    private Step step(int number) {
        return steps.computeIfAbsent(number, n -> new Step(n, "#" + n, nanoTime.getAsLong()));
    }

    /** Every step so far, in the order they started. */
    synchronized List<StepView> snapshot() {
        return steps.values().stream().map(Step::view).toList();
    }

    /** The highest step number so far, 0 before any. */
    synchronized int lastStep() {
        return steps.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** The warnings so far, in order. */
    synchronized List<BuildEvent.Warning> warnings() {
        return List.copyOf(warnings);
    }

    /** A number that changes with every event: the tty view redraws only when it moved or a step runs. */
    synchronized long version() {
        return version;
    }

    /** Every step that failed (not merely cancelled), in the order they started. */
    synchronized List<StepView> failedSteps() {
        return steps.values().stream().map(Step::view).filter(s -> s.error().isPresent() && !s.cancelled())
                .toList();
    }

    /** The step that failed first (not merely cancelled), if one did. */
    synchronized Optional<StepView> failed() {
        return steps.values().stream().map(Step::view).filter(s -> s.error().isPresent() && !s.cancelled())
                .findFirst();
    }

    /** Beyond this many nanoseconds (11.6 days) the integer rounding below is not proven equal: String.format. */
    private static final long EXACT_NANOS = 1_000_000_000_000_000L;

    /**
     * {@code String.format(Locale.ROOT, "%.3f %s", nanos / 1e9, line)} without a Formatter, which parses its pattern
     * and goes through BigDecimal-like rounding on every line a step prints. The same digits: below 10^15 ns the
     * double {@code nanos / 1e9} prints as the exact decimal {@code nanos * 10^-9} (at most 15 significant digits
     * round-trip), and %.3f rounds that half up, as the integer arithmetic here does.
     */
    static String logLine(long nanos, String line) {
        if (nanos < 0 || nanos >= EXACT_NANOS) {
            return String.format(Locale.ROOT, "%.3f %s", nanos / 1e9, line);
        }
        long millis = (nanos + 500_000) / 1_000_000;
        long fraction = millis % 1000;
        StringBuilder out = new StringBuilder(line.length() + 12).append(millis / 1000).append('.');
        if (fraction < 100) {
            out.append(fraction < 10 ? "00" : "0");
        }
        return out.append(fraction).append(' ').append(line).toString();
    }
}
