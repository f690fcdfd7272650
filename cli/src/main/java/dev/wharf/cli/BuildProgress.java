package dev.wharf.cli;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.cli.StepBoard.StepView;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The progress display of one {@code wharf build}: the printer the mode selects (tty, plain, rawjson or none) fed
 * together with a {@link StepBoard} that remembers each step's output tail for the error report. Close it before
 * printing anything else on the same stream: the tty view draws its final frame then.
 *
 * <p>Thread-safe as a listener.
 */
final class BuildProgress implements ProgressListener, AutoCloseable {
    private final StepBoard board;
    private final ProgressListener printer;
    private final TtyProgress tty;
    /** When the engine told its last event: an exporter's vertex lasts from there (see {@link #exported}). */
    private volatile long lastEventNanos = System.nanoTime();
    private volatile boolean imageShown;

    private BuildProgress(StepBoard board, ProgressListener printer, TtyProgress tty) {
        this.board = board;
        this.printer = printer;
        this.tty = tty;
    }

    /** The display for {@code mode} (already resolved: not AUTO) writing to {@code err}. */
    static BuildProgress open(ProgressMode mode, PrintWriter err, Map<String, String> env) {
        StepBoard board = new StepBoard(System::nanoTime);
        return switch (mode) {
            case TTY -> {
                TtyProgress tty = TtyProgress.start(err, board, TerminalSize.detect(env));
                yield new BuildProgress(board, tty, tty);
            }
            case RAWJSON -> new BuildProgress(board, new RawJsonProgress(err, Clock.systemUTC()), null);
            case QUIET, NONE -> new BuildProgress(board, ProgressListener.none(), null);
            case PLAIN, AUTO -> new BuildProgress(board, new PlainProgress(err), null);
        };
    }

    @Override
    public void onEvent(BuildEvent event) {
        if (event instanceof BuildEvent.ImageWritten written) {
            // A build that pushes: the image exporter's vertex comes before the pushes, as buildx shows them.
            imageShown = true;
            exported(written.step(), "exporting to image", ExporterSteps.imageStatuses(written.imageId(),
                    written.names(), written.hasLayers(), written.layers(), written.writing(), written.naming()));
            return;
        }
        lastEventNanos = System.nanoTime();
        if (tty == null) {
            board.onEvent(event);
        }
        // The tty view feeds the board itself, before it draws.
        printer.onEvent(event);
    }

    /** The warnings of the build so far, in order. */
    java.util.List<BuildEvent.Warning> warnings() {
        return board.warnings();
    }

    /**
     * Shows one of BuildKit's exporter vertexes after the build's steps, named and with the statuses its exporter
     * reports (moby's image exporter: {@code #N exporting to image}, {@code #N exporting layers done},
     * {@code #N writing image sha256:... done}, {@code #N naming to docker.io/library/NAME:TAG done}, then
     * {@code #N DONE 0.0s}), each status with the time its work took; in the tty view the same as a step with its
     * sub-lines. Call it before {@link #close}. Its time is the sum of its statuses' times (else, none measured,
     * what passed since the engine's last event).
     */
    void exported(String name, java.util.List<ExporterStatus> statuses) {
        exported(board.lastStep() + 1, name, statuses);
    }

    /** Whether the image exporter's vertex was shown already (a build that pushes shows it before its pushes). */
    boolean imageShown() {
        return imageShown;
    }

    private synchronized void exported(int step, String name, java.util.List<ExporterStatus> statuses) {
        // The vertex lasts as long as its parts, which the engine timed (BuildKit's exporter vertex spans its
        // statuses); the whole time since the engine's last event when it measured none.
        java.time.Duration took = statuses.stream().map(ExporterStatus::took)
                .reduce(java.time.Duration.ZERO, java.time.Duration::plus);
        if (took.isZero()) {
            took = java.time.Duration.ofNanos(Math.max(0, System.nanoTime() - lastEventNanos));
        }
        onEvent(new BuildEvent.StepStarted(step, "", 0, 0, name));
        for (ExporterStatus status : statuses) {
            BuildEvent.Transfer done = new BuildEvent.Transfer(step, status.id(), status.bytes(), 0, true);
            if (printer instanceof PlainProgress plain) {
                // The engine timed the part while it ran: the plain printer shows that time, as BuildKit's printer
                // shows completed - started of the status when over 0.01 s.
                board.onEvent(done);
                plain.finished(done, status.took());
            } else {
                onEvent(done);
            }
        }
        onEvent(new BuildEvent.StepDone(step, took));
    }

    /**
     * One status of an exporter's vertex, how long its work took and the bytes it shows (0: none; BuildKit's local
     * exporter counts what it sent, {@code copying files 2.00MB}).
     */
    record ExporterStatus(String id, java.time.Duration took, long bytes) {
        ExporterStatus {
            java.util.Objects.requireNonNull(id, "id");
            java.util.Objects.requireNonNull(took, "took");
        }

        /** A status that shows no size. */
        ExporterStatus(String id, java.time.Duration took) {
            this(id, took, 0);
        }
    }

    /**
     * Every failed step with its last output lines, for the blocks BuildKit's printer ends with whether or not the
     * build failed (a registry cache that could not be imported fails its step, not the build).
     */
    java.util.List<StepView> failedSteps() {
        return board.failedSteps();
    }

    /** The step that failed, with its last output lines. */
    Optional<StepView> failedStep() {
        return board.failed();
    }

    @Override
    public void close() {
        if (tty != null) {
            tty.close();
        }
        if (printer instanceof PlainProgress plain) {
            plain.close();
        }
    }
}
