package dev.wharf.cli;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prints the blobs of {@code wharf pull} and {@code wharf push} one line each, as the docker CLI does:
 * {@code 4abcf2066143: Pull complete} / {@code Already exists}, {@code Pushed} / {@code Layer already exists}.
 * Thread-safe (blobs finish on transfer threads); counts the blobs that moved.
 */
final class TransferProgress implements ProgressListener {
    private final PrintWriter out;
    private final String movedText;
    private final String presentText;
    private final AtomicInteger moved = new AtomicInteger();

    TransferProgress(PrintWriter out, String movedText, String presentText) {
        this.out = out;
        this.movedText = movedText;
        this.presentText = presentText;
    }

    @Override
    public synchronized void onEvent(BuildEvent event) {
        if (event instanceof BuildEvent.BlobTransferred b) {
            if (b.moved()) {
                moved.incrementAndGet();
            }
            String hex = b.digest().substring(b.digest().indexOf(':') + 1);
            out.println(hex.substring(0, Math.min(12, hex.length())) + ": " + (b.moved() ? movedText : presentText));
            out.flush();
        }
    }

    /** How many blobs moved so far. */
    int moved() {
        return moved.get();
    }
}
