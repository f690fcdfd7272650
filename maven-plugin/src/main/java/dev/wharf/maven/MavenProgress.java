package dev.wharf.maven;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.maven.plugin.logging.Log;

/**
 * Writes a build's progress to the Maven log in the shape of BuildKit's plain progress: steps at info level
 * ({@code #3 [build 2/4] RUN make}, {@code #3 CACHED}, {@code #3 DONE 1.2s}), the steps' output lines at debug level
 * ({@code -X} shows them), why a step missed the cache at info level (when asked) and warnings at warn level. It
 * remembers the last {@value #TAIL_LINES} output lines of every step so that a failure can quote them (BuildKit's
 * error shows the failing step's last lines too).
 *
 * <p>Thread-safe: output lines arrive on the sandbox's stream threads; every event is handled under one lock so
 * lines of the log are never interleaved mid-line and the tails stay consistent.
 */
final class MavenProgress implements ProgressListener {
    static final int TAIL_LINES = 10;

    private final Log log;
    private final Map<Integer, Deque<String>> tails = new HashMap<>();
    private int failedStep;

    MavenProgress(Log log) {
        this.log = log;
    }

    @Override
    public synchronized void onEvent(BuildEvent event) {
        if (event instanceof BuildEvent.StepStarted s) {
            log.info("#" + s.step() + " " + s.label());
        } else if (event instanceof BuildEvent.BlobTransferred b) {
            if (b.moved()) {
                log.info(String.format(Locale.ROOT, "#%d %s %d bytes %.1fs done", b.step(), b.digest(), b.size(),
                        b.elapsed().toNanos() / 1e9));
            }
        } else if (event instanceof BuildEvent.StepCached c) {
            log.info("#" + c.step() + " CACHED");
        } else if (event instanceof BuildEvent.StepLog l) {
            Deque<String> tail = tails.computeIfAbsent(l.step(), k -> new ArrayDeque<>());
            if (tail.size() == TAIL_LINES) {
                tail.removeFirst();
            }
            tail.addLast(l.line());
            if (log.isDebugEnabled()) {
                log.debug(String.format(Locale.ROOT, "#%d %s %s", l.step(), seconds(l.elapsed()), l.line()));
            }
        } else if (event instanceof BuildEvent.StepDone d) {
            log.info("#" + d.step() + " DONE " + seconds(d.duration()));
        } else if (event instanceof BuildEvent.StepFailed f) {
            failedStep = f.step();
            log.error("#" + f.step() + " ERROR: " + f.message());
        } else if (event instanceof BuildEvent.StepCacheMiss m) {
            for (String reason : m.reasons()) {
                log.info("#" + m.step() + " cache miss: " + reason);
            }
        } else if (event instanceof BuildEvent.Warning w) {
            log.warn(w.message());
        }
    }

    /** The last output lines of step {@code step}, oldest first; empty when it printed nothing. */
    synchronized List<String> tail(int step) {
        Deque<String> tail = tails.get(step);
        return tail == null ? List.of() : List.copyOf(tail);
    }

    /** The last output lines of the step that failed; empty when none failed or it printed nothing. */
    synchronized List<String> failedStepTail() {
        return failedStep == 0 ? List.of() : tail(failedStep);
    }

    /** BuildKit's plain progress shows durations with one decimal, e.g. {@code 1.2s}. */
    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
