package dev.wharf.builder.exec;

import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Completes a history that has fewer non-empty entries than the image has layers, as BuildKit's image exporter
 * does (normalizeLayersAndHistory): one entry per missing layer, for the top layers, appended at the end, named
 * by the layer's {@link LayerNotes note} ("created by buildkit" when there is none) with the comment
 * {@code buildkit.exporter.image.v0}. A stage started from a directory named context (its files are a layer with
 * no history entry) gets one: buildx 0.13.1 on the peer, {@code FROM ctx} then {@code COPY Dockerfile /d}, adds
 * {@code [1/2] COPY Dockerfile /d}. Stateless.
 */
final class HistoryGaps {
    /** BuildKit's description of a ref that has none (exporter/containerimage/writer.go, getRefMetadata). */
    static final String UNKNOWN = "created by buildkit";

    private HistoryGaps() {
    }

    static BuildExecutor.State fill(BuildExecutor.State state) {
        ImageConfiguration image = state.image();
        int layers = state.layers().size();
        long described = image.history().stream().filter(h -> !h.emptyLayer()).count();
        if (described >= layers) {
            return state;
        }
        List<HistoryEntry> history = new ArrayList<>(image.history());
        OffsetDateTime created = image.history().isEmpty() ? image.created()
                : image.history().get(image.history().size() - 1).created();
        for (int i = (int) described; i < layers; i++) {
            String note = state.notes().get(i);
            history.add(new HistoryEntry(created, note.isEmpty() ? UNKNOWN : note, null,
                    "buildkit.exporter.image.v0", false));
        }
        ImageConfiguration filled = image.withLayers(image.rootfs(), history);
        return new BuildExecutor.State(state.layers(), filled, state.parent(), state.inherited(), state.uncachedChain(),
                state.notes());
    }
}
