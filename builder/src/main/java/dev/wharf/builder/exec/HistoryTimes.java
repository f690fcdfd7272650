package dev.wharf.builder.exec;

import dev.wharf.layers.image.HistoryEntry;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Dates the history entries of metadata steps when the image is written, as BuildKit's image exporter does
 * ({@code exporter/containerimage/writer.go normalizeLayersAndHistory}): an entry without a time gets the time of
 * the first dated entry that follows an undated one (the first new layer), so the metadata commands before it do not
 * carry the base image's time; after that, the time of the layer before it. Stateless and thread-safe.
 */
final class HistoryTimes {
    private HistoryTimes() {
    }

    /** Returns {@code history} with every entry dated; {@code fallback} when no entry has a time. */
    static List<HistoryEntry> fill(List<HistoryEntry> history, OffsetDateTime fallback) {
        OffsetDateTime created = null;
        boolean undated = false;
        for (HistoryEntry h : history) {
            if (h.created() != null) {
                created = h.created();
                if (undated) {
                    break;
                }
            } else {
                undated = true;
            }
        }
        if (!undated) {
            return history;
        }
        if (created == null) {
            created = fallback;
        }
        List<HistoryEntry> out = new ArrayList<>(history.size());
        undated = false;
        for (HistoryEntry h : history) {
            if (h.created() != null) {
                if (undated) {
                    created = h.created();
                }
                out.add(h);
            } else {
                undated = true;
                out.add(new HistoryEntry(created, h.createdBy(), h.author(), h.comment(), h.emptyLayer()));
            }
        }
        return List.copyOf(out);
    }
}
