package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildOutput;
import java.time.Duration;
import java.util.List;

/**
 * Tells a build's cancellation (its thread interrupted by Ctrl-C, SIGTERM or a closed engine) from a failure, for
 * the vertexes that are not Dockerfile steps: the export of the image and its outputs, a push, a cache export.
 * BuildKit shows whichever vertex a cancel stops as {@code #N CANCELED}, never with the error the interrupt caused
 * inside it (a channel closed by the interrupt, "interrupted while waiting for the store lock"). Stateless.
 */
final class Cancellation {
    private Cancellation() {
    }

    /** Whether {@code error} comes from the build's cancellation: the thread's interrupt, or one in its causes. */
    static boolean causedBy(Throwable error) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof java.nio.channels.ClosedByInterruptException
                    || t instanceof java.io.InterruptedIOException
                            && !(t instanceof java.net.SocketTimeoutException)) {
                return true;
            }
        }
        return false;
    }

    /** The end of a vertex that {@code error} stopped: CANCELED when the cancel caused it, else its message. */
    static BuildEvent.StepFailed failed(int step, Throwable error, Duration took) {
        return new BuildEvent.StepFailed(step, causedBy(error) ? BuildEvent.StepFailed.CANCELLED : error.getMessage(),
                took);
    }

    /**
     * The exception that ends a cancelled build, with the error the interrupt caused as its cause: the engine
     * completes the build's future as cancelled on it, not as failed.
     */
    static InterruptedException of(Throwable cause) {
        InterruptedException cancelled = new InterruptedException("build cancelled");
        if (cause != null) {
            cancelled.initCause(cause);
        }
        return cancelled;
    }

    /**
     * The name of the first exporter vertex BuildKit opens for {@code outputs} (the one a cancel during the export
     * stops): moby's image exporter when the image is kept or pushed, else the first output's own (exporter/local,
     * tar, oci). The CLI names the same vertexes when it shows them after a build.
     */
    static String exporterVertex(List<BuildOutput> outputs) {
        if (outputs.isEmpty() || outputs.stream().anyMatch(o -> o.push() || o.type().equals("image")
                || o.type().equals("registry"))) {
            return "exporting to image";
        }
        return switch (outputs.get(0).type()) {
            case "local" -> "exporting to client directory";
            case "tar" -> "exporting to client tarball";
            default -> "exporting to " + outputs.get(0).type() + " image format";
        };
    }
}
