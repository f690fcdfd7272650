package dev.wharf.cli;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Prints build progress like BuildKit's {@code --progress=plain}: {@code #N [stage k/n] INSTRUCTION},
 * {@code #N CACHED}, log lines as {@code #N 0.123 line}, finished transfers as {@code #N exporting layer 1.2MB done},
 * {@code #N DONE 0.3s} and {@code #N ERROR: ...}; {@code #N [internal] load metadata for REF} and pulled or pushed
 * blobs as {@code #N sha256:... 3.40MB / 3.40MB 0.3s done}.
 * Thread-safe: lines of one event are printed together.
 */
final class PlainProgress implements ProgressListener {
    private final PrintWriter out;
    private final Set<Integer> cached = new HashSet<>();

    PlainProgress(PrintWriter out) {
        this.out = out;
    }

    @Override
    public synchronized void onEvent(BuildEvent event) {
        if (event instanceof BuildEvent.StepStarted s) {
            out.println("#" + s.step() + " " + s.label());
        } else if (event instanceof BuildEvent.BlobTransferred b) {
            if (b.moved()) {
                out.println("#" + b.step() + " " + b.digest() + " " + ByteSizes.buildKit(b.size()) + " / "
                        + ByteSizes.buildKit(b.size()) + " " + seconds(b.elapsed(), 1) + "s done");
            }
        } else if (event instanceof BuildEvent.StepCached c) {
            cached.add(c.step());
            out.println("#" + c.step() + " CACHED");
        } else if (event instanceof BuildEvent.StepLog l) {
            out.println("#" + l.step() + " " + seconds(l.elapsed(), 3) + " " + l.line());
        } else if (event instanceof BuildEvent.StepDone d) {
            if (!cached.contains(d.step())) {
                out.println("#" + d.step() + " DONE " + seconds(d.duration(), 1) + "s");
            }
            out.println();
        } else if (event instanceof BuildEvent.StepFailed f) {
            out.println("#" + f.step() + " ERROR: " + f.message());
            out.println();
        } else if (event instanceof BuildEvent.StepCacheMiss m) {
            for (String reason : m.reasons()) {
                out.println("#" + m.step() + " cache miss: " + reason);
            }
        } else if (event instanceof BuildEvent.Transfer t && t.completed()) {
            // BuildKit's plain printer shows a finished status as "#N ID SIZE done".
            out.println("#" + t.step() + " " + t.id() + " " + ByteSizes.human(t.current()) + " done");
        } else if (event instanceof BuildEvent.Warning w) {
            out.println("WARNING: " + w.message());
        }
        out.flush();
    }

    private static String seconds(Duration d, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", d.toNanos() / 1e9);
    }
}
