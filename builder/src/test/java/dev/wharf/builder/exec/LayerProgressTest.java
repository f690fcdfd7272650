package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.layers.layer.FileKind;
import dev.wharf.layers.layer.FileMetadata;
import dev.wharf.layers.layer.LayerChange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Layer writing reported as rate-limited Transfer events, on a hand-moved clock. */
class LayerProgressTest {
    @Test
    void reportsTheEstimate_thenAtMostEveryInterval_thenTheFinalCount() {
        List<BuildEvent> events = new ArrayList<>();
        AtomicLong clock = new AtomicLong();
        FileMetadata file = new FileMetadata(FileKind.REGULAR, 0644, 0, 0, 1000, 0, 0, "", 0, 1, 1, 1, Map.of());
        List<LayerChange> changes = List.of(new LayerChange.Added("a", Path.of("/a"), file),
                new LayerChange.Deleted("b"));
        LayerProgress progress = new LayerProgress(events::add, 7, changes, clock::get);
        progress.accept(512);
        clock.set(LayerProgress.INTERVAL_NANOS);
        progress.accept(2048);
        progress.accept(2560);
        progress.done();
        long estimate = 1024 + 512 + 1024 + 512;
        assertEquals(List.of(new BuildEvent.Transfer(7, "exporting layer", 0, estimate, false),
                new BuildEvent.Transfer(7, "exporting layer", 2048, estimate, false),
                new BuildEvent.Transfer(7, "exporting layer", 2560, 2560, true)), events);
    }
}
