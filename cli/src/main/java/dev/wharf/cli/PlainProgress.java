package dev.wharf.cli;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints build progress like BuildKit's {@code --progress=plain}: {@code #N [stage k/n] INSTRUCTION},
 * {@code #N CACHED}, log lines as {@code #N 0.123 line}, finished transfers as
 * {@code #N exporting layer 1.2MB / 1.2MB done} (with a total) or {@code #N transferring context: 20.90kB done},
 * {@code #N DONE 0.3s} and {@code #N ERROR: ...}; {@code #N [internal] load metadata for REF} and pulled or pushed
 * blobs as {@code #N sha256:... 3.40MB / 3.40MB 0.3s done}; a step's warnings (the build checks' findings, on the
 * definition's step) as {@code #N WARN: RuleName: ... (line N)} (progressui/printer.go). As BuildKit's printer
 * (textMux.printVtx), a step's warning, end or failure printed after another step's lines repeats the step's
 * header after a blank line, so that it reads as a block of its own, and the step left before it has ended says
 * {@code #N ...}; a cancelled step ends with {@code #N CANCELED}.
 * Thread-safe: lines of one event are printed together.
 *
 * <p>Log lines are not flushed one by one: a step printing thousands of lines spent ~40 us per line in the
 * stream's flush (and the old String.format); they are flushed with the next other event, or at the latest
 * {@value #LOG_FLUSH_MILLIS} ms later, as BuildKit's printer batches them. {@link #close} flushes what is left.
 */
final class PlainProgress implements ProgressListener, AutoCloseable {
    private static final long LOG_FLUSH_MILLIS = 100;

    private final PrintWriter out;
    private final Set<Integer> cached = new HashSet<>();
    private final Map<Integer, String> labels = new HashMap<>();
    private final Set<Integer> internal = new HashSet<>();
    /** When each unfinished status (step and id) was first heard of, in System.nanoTime. */
    private final Map<String, Long> transferStarts = new HashMap<>();
    /** The step whose lines were printed last, 0 after a step's end or before any. */
    private int last;
    private boolean printed;
    private final StringBuilder line = new StringBuilder(128);
    private ScheduledExecutorService flusher;
    private boolean flushPending;

    PlainProgress(PrintWriter out) {
        this.out = out;
    }

    @Override
    public synchronized void onEvent(BuildEvent event) {
        if (event instanceof BuildEvent.StepStarted s) {
            labels.put(s.step(), s.label());
            if (s.stage().equals("internal")) {
                internal.add(s.step());
            }
            header(s.step());
        } else if (event instanceof BuildEvent.BlobTransferred b) {
            if (b.moved()) {
                println(b.step(), "#" + b.step() + " " + b.digest() + " " + ByteSizes.buildKit(b.size()) + " / "
                        + ByteSizes.buildKit(b.size()) + " " + seconds(b.elapsed(), 1) + "s done");
            }
        } else if (event instanceof BuildEvent.StepCached c) {
            cached.add(c.step());
            resume(c.step());
            println(0, "#" + c.step() + " CACHED");
        } else if (event instanceof BuildEvent.StepLog l) {
            // Another step's log line turns the printer to that step, as its other lines do (textMux.printVtx).
            if (last != l.step()) {
                resume(l.step());
            }
            line.setLength(0);
            line.append('#').append(l.step()).append(' ');
            // progressui's trace.update: three decimals below 10s, two below 100s, one from there on.
            long nanos = l.elapsed().toNanos();
            appendSeconds(line, nanos, nanos < 10_000_000_000L ? 3 : nanos < 100_000_000_000L ? 2 : 1);
            out.print(line.append(' ').append(l.line()).append('\n'));
            last = l.step();
            flushSoon();
            return;
        } else if (event instanceof BuildEvent.StepDone d) {
            if (!cached.contains(d.step())) {
                resume(d.step());
                println(0, "#" + d.step() + " DONE " + seconds(d.duration(), 1) + "s");
            }
        } else if (event instanceof BuildEvent.StepFailed f) {
            resume(f.step());
            // A step stopped by the build's cancellation (Ctrl-C, or another step's failure) is no error of its
            // own: BuildKit's printer shows "#N CANCELED" (util/progress/progressui/printer.go).
            println(0, "#" + f.step() + (f.cancelled() ? " CANCELED" : " ERROR: " + f.message()));
        } else if (event instanceof BuildEvent.StepCacheMiss m) {
            for (String reason : m.reasons()) {
                println(m.step(), "#" + m.step() + " cache miss: " + reason);
            }
        } else if (event instanceof BuildEvent.Transfer t) {
            // A status starts with its first event (as the rawjson stream's "started" says).
            long now = System.nanoTime();
            String key = t.step() + "\0" + t.id();
            long started = transferStarts.computeIfAbsent(key, k -> now);
            if (t.completed()) {
                transferStarts.remove(key);
                // BuildKit's plain printer shows a finished status as "#N ID SIZE TIME done" (SIZE a "%.2f" of
                // units.Bytes: 38B, 40.31kB, "CUR / TOTAL" with a total; none when it counted no bytes and has no
                // total, "#6 writing image sha256:... done"),
                // TIME " %.1fs" of completed - started only when that is over 0.01s (textMux.printVtx).
                printFinished(t, now - started);
            }
        } else if (event instanceof BuildEvent.Warning w) {
            if (w.step() > 0) {
                resume(w.step());
                println(w.step(), "#" + w.step() + " WARN: " + w.message());
            } else {
                println(0, "WARNING: " + w.message());
            }
        }
        out.flush();
    }

    /**
     * Prints a status the caller timed itself ({@code completed} set), as one that took {@code took}: an exporter's
     * part, measured by the engine while it ran, reported once it is over.
     */
    synchronized void finished(BuildEvent.Transfer status, Duration took) {
        printFinished(status, took.toNanos());
        out.flush();
    }

    private void printFinished(BuildEvent.Transfer t, long nanos) {
        // textMux.printVtx: " CUR / TOTAL" for a status with a total (a pulled layer), " CUR" without one.
        String bytes = t.total() != 0 ? " " + ByteSizes.buildKit(t.current()) + " / " + ByteSizes.buildKit(t.total())
                : t.current() != 0 ? " " + ByteSizes.buildKit(t.current()) : "";
        println(t.step(), "#" + t.step() + " " + t.id() + bytes
                + (nanos > 10_000_000L ? " " + seconds(Duration.ofNanos(nanos), 1) + "s" : "") + " done");
    }

    /** Prints a line of {@code step} (0: a line that ends its step or belongs to none). */
    private void println(int step, String text) {
        out.println(text);
        printed = true;
        last = step;
    }

    /**
     * A step's name, after a blank line unless it is the first line (textMux.printVtx); a step whose lines were
     * printed last and which has not ended is first left with {@code #N ...}, as BuildKit's printer leaves it. Not
     * an internal one: wharf keeps the definition's step open while planning (for the checks' warnings) where
     * BuildKit has ended it, so BuildKit shows no such line for it.
     */
    private void header(int step) {
        if (last != 0 && last != step && labels.containsKey(last) && !internal.contains(last)) {
            out.println("#" + last + " ...");
        }
        if (printed) {
            out.println();
        }
        println(step, "#" + step + " " + labels.get(step));
    }

    /** BuildKit's printer names a step again when its lines follow another step's. */
    private void resume(int step) {
        if (last != step && labels.containsKey(step)) {
            header(step);
        }
    }

    private void flushSoon() {
        if (flushPending) {
            return;
        }
        flushPending = true;
        if (flusher == null) {
            flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "wharf-progress-flush");
                t.setDaemon(true);
                return t;
            });
        }
        flusher.schedule(this::flushNow, LOG_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    }

    private synchronized void flushNow() {
        flushPending = false;
        out.flush();
    }

    @Override
    public synchronized void close() {
        out.flush();
        if (flusher != null) {
            flusher.shutdownNow();
        }
    }

    private static String seconds(Duration d, int decimals) {
        StringBuilder b = new StringBuilder(8);
        appendSeconds(b, d.toNanos(), decimals);
        return b.toString();
    }

    /** {@code %.Nf} of {@code nanos} in seconds (rounding half up), without String.format's cost. */
    static void appendSeconds(StringBuilder b, long nanos, int decimals) {
        long scale = decimals == 3 ? 1_000_000L : decimals == 2 ? 10_000_000L : decimals == 1 ? 100_000_000L
                : 1_000_000_000L;
        long units = Math.max(0, (nanos + scale / 2) / scale);
        long unitsPerSecond = 1_000_000_000L / scale;
        b.append(units / unitsPerSecond);
        if (decimals > 0) {
            String fraction = Long.toString(units % unitsPerSecond);
            b.append('.').append("0".repeat(decimals - fraction.length())).append(fraction);
        }
    }
}
