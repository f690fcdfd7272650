package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TransferEventsTest {
    private final Descriptor blob = Descriptor.of(MediaTypes.OCI_LAYER_GZIP,
            Digest.sha256Of("layer".getBytes(StandardCharsets.UTF_8)), 1_000_000);
    private final AtomicLong clock = new AtomicLong();
    private final List<BuildEvent> events = new ArrayList<>();
    private final TransferEvents transfers = new TransferEvents(events::add, 3, clock::get);

    @Test
    void progressIsReportedAtMostOncePerIntervalPerBlob_andTheEndAsABlobTransferred() {
        transfers.blobProgress(blob, 65_536);
        clock.addAndGet(TransferEvents.INTERVAL_NANOS / 2);
        transfers.blobProgress(blob, 131_072);
        clock.addAndGet(TransferEvents.INTERVAL_NANOS / 2);
        transfers.blobProgress(blob, 196_608);
        transfers.blobDone(blob, true, Duration.ofMillis(250));

        String id = blob.digest().toString();
        assertEquals(List.of(new BuildEvent.Transfer(3, id, 65_536, 1_000_000, false),
                new BuildEvent.Transfer(3, id, 196_608, 1_000_000, false),
                new BuildEvent.BlobTransferred(3, id, 1_000_000, true, Duration.ofMillis(250))), events);
    }

    @Test
    void eachBlobHasItsOwnInterval() {
        Descriptor other = Descriptor.of(MediaTypes.OCI_LAYER_GZIP,
                Digest.sha256Of("other".getBytes(StandardCharsets.UTF_8)), 10);
        transfers.blobProgress(blob, 1);
        transfers.blobProgress(other, 2);
        assertEquals(2, events.size(), events::toString);
    }
}
