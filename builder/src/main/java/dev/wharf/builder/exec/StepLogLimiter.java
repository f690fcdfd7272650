package dev.wharf.builder.exec;

import dev.wharf.builder.sandbox.OutputListener;
import dev.wharf.builder.sandbox.StdStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Clips a RUN step's output the way BuildKit does (util/progress/logs/logs.go): per stream, at most
 * {@code maxSpeed} bytes for each second begun since the step started, and {@code maxSize} bytes in all (defaults
 * 200 KiB/s and 2 MiB, or {@code BUILDKIT_STEP_LOG_MAX_SPEED} / {@code BUILDKIT_STEP_LOG_MAX_SIZE}, -1 for no
 * limit). Where output is dropped a line {@code [output clipped, log limit 200KiB/s reached]} says so, once per
 * stretch of dropped output. From the first clip on, the last 256 KiB of the stream are kept, and a failed step
 * shows them again ({@link #flushAfterFailure}), so that the error at the end of a long log is not lost.
 *
 * <p>BuildKit counts the bytes of the pipe's chunks; this counts each line with its newline, and a line that only
 * partly fits is cut at the limit, as BuildKit cuts a chunk. Thread-safe: stdout and stderr pumps call it at once.
 */
final class StepLogLimiter implements OutputListener {
    static final long DEFAULT_MAX_SIZE = 2L * 1024 * 1024;
    static final long DEFAULT_MAX_SPEED = 200L * 1024;
    private static final long KEPT_AFTER_CLIP = 256L * 1024;

    private final OutputListener downstream;
    private final long maxSize;
    private final long maxSpeed;
    private final LongSupplier nanoTime;
    private final long started;
    private final Map<StdStream, StreamState> streams = new EnumMap<>(StdStream.class);
    private final String sizeNotice;
    private final String speedNotice;

    StepLogLimiter(OutputListener downstream, long maxSize, long maxSpeed, LongSupplier nanoTime) {
        this.downstream = downstream;
        this.maxSize = maxSize;
        this.maxSpeed = maxSpeed;
        this.nanoTime = nanoTime;
        this.started = nanoTime.getAsLong();
        this.sizeNotice = "[output clipped, log limit " + formatBytes(maxSize) + " reached]";
        this.speedNotice = "[output clipped, log limit " + formatBytes(maxSpeed) + "/s reached]";
        for (StdStream s : StdStream.values()) {
            streams.put(s, new StreamState());
        }
    }

    /** A limiter with BuildKit's limits, or those of its two environment variables in {@code env}. */
    static StepLogLimiter fromEnvironment(OutputListener downstream, Map<String, String> env) {
        return new StepLogLimiter(downstream, limit(env.get("BUILDKIT_STEP_LOG_MAX_SIZE"), DEFAULT_MAX_SIZE),
                limit(env.get("BUILDKIT_STEP_LOG_MAX_SPEED"), DEFAULT_MAX_SPEED), System::nanoTime);
    }

    private static long limit(String value, long fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return fallback; // strconv.ParseInt failing keeps BuildKit's default too
        }
    }

    /** A step's log: BuildKit's display keeps one partial line per vertex, for both streams. */
    @Override
    public boolean joinsStreams() {
        return true;
    }

    @Override
    public void onLine(StdStream stream, String line) {
        onLine(stream, line, nanoTime.getAsLong());
    }

    @Override
    public void onLine(StdStream stream, String line, long startNanos) {
        onLine(stream, line, startNanos, true);
    }

    @Override
    public void onLine(StdStream stream, String line, long startNanos, boolean terminated) {
        StreamState s = streams.get(stream);
        String shown;
        String clipMessage = null;
        synchronized (s) {
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            long n = bytes.length + (terminated ? 1L : 0L);
            if (s.kept != null) {
                s.keep(line, n);
            }
            long allowed = allowed(s, n);
            if (allowed < n && s.kept == null) {
                s.kept = new ArrayDeque<>();
                s.keep(line, n);
            }
            if (allowed == n) {
                s.clipping = false;
                shown = line;
            } else {
                // Bytes up to the limit (the newline is the line's last byte, so a partial line never has it).
                shown = allowed <= 0 ? null : new String(bytes, 0, (int) Math.min(allowed, bytes.length),
                        StandardCharsets.UTF_8);
                if (!s.clipping) {
                    clipMessage = s.clippedBySpeed ? speedNotice : sizeNotice;
                }
                s.clipping = true;
            }
        }
        if (shown != null) {
            // A line cut at the limit is ended by the notice, which BuildKit begins with a newline.
            downstream.onLine(stream, shown, startNanos, terminated || clipMessage != null);
        }
        if (clipMessage != null) {
            downstream.onLine(stream, clipMessage, nanoTime.getAsLong());
        }
    }

    /** How many of the next {@code n} bytes may be shown; records them as written (logs.go checkLimit). */
    private long allowed(StreamState s, long n) {
        long old = s.size;
        s.size += n;
        long max = -1;
        s.clippedBySpeed = false;
        if (maxSpeed != -1) {
            long seconds = Math.max(1, (nanoTime.getAsLong() - started + 999_999_999L) / 1_000_000_000L);
            max = seconds * maxSpeed;
            s.clippedBySpeed = true;
        }
        if (max == -1 || max > maxSize) {
            max = maxSize;
            s.clippedBySpeed = false;
        }
        if (max == -1) {
            return n;
        }
        if (max < old) {
            return 0;
        }
        return s.size > max ? max - old : n;
    }

    /** After a failed step: the kept tail of each stream that was clipped, as BuildKit's flush does. */
    void flushAfterFailure() {
        for (Map.Entry<StdStream, StreamState> e : streams.entrySet()) {
            Deque<String> lines;
            synchronized (e.getValue()) {
                lines = e.getValue().kept;
                e.getValue().kept = null;
            }
            if (lines != null) {
                lines.forEach(line -> downstream.onLine(e.getKey(), line));
            }
        }
    }

    /** go-units' {@code %#g} of a byte count: binary prefixes, no decimals when exact. */
    static String formatBytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (Math.abs(value) >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        String number = value == Math.rint(value) ? Long.toString((long) value)
                : String.format(java.util.Locale.ROOT, "%.4g", value).replaceAll("\\.?0+$", "");
        return number + units[unit];
    }

    /** One stream's count, clipping state and kept tail. */
    private static final class StreamState {
        long size;
        boolean clipping;
        /** Whether the last limit applied was the speed's (logs.go clipReasonSpeed), for the notice's wording. */
        boolean clippedBySpeed;
        Deque<String> kept;
        long keptBytes;

        void keep(String line, long n) {
            kept.addLast(line);
            keptBytes += n;
            while (keptBytes > KEPT_AFTER_CLIP && kept.size() > 1) {
                keptBytes -= kept.removeFirst().getBytes(StandardCharsets.UTF_8).length + 1L;
            }
        }
    }
}
