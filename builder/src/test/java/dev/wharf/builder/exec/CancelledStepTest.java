package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.layers.layout.StoreLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build cancelled while a step waits for the snapshot store's lock (another build holds it): the step reports
 * itself cancelled, as BuildKit shows such a vertex CANCELED, not failed with "interrupted while waiting for the
 * store lock".
 */
class CancelledStepTest {
    @TempDir
    Path temp;

    @Test
    void aStepWaitingForTheStoreLock_whenTheBuildIsCancelled_reportsCancelled_notItsInterruptedWait()
            throws Exception {
        HostRequirements.requireRoot();
        Path root = temp.resolve("store");
        Path context = Files.createDirectories(temp.resolve("ctx"));
        Files.writeString(context.resolve("a"), "a\n");
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(root))) {
            engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))),
                    "busybox:latest");
            List<BuildEvent> events = new CopyOnWriteArrayList<>();
            // The store is open (the import opened it); its snapshots' lock, held here as another build would
            // hold it, stops the FROM step where it unpacks the base image.
            try (StoreLock.Held held = new StoreLock(root.resolve("snapshots").resolve("lock")).acquire()) {
                CompletableFuture<BuildResult> build = engine.build(BuildRequest.builder(context)
                        .dockerfileText("FROM busybox:latest\nCOPY a /a\n").listener(events::add).build());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (events.stream().noneMatch(e -> e instanceof BuildEvent.StepStarted s
                        && s.name().contains("FROM")) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Thread.sleep(300); // into the wait for the lock
                build.cancel(true);
                assertThrows(CancellationException.class, () -> build.get(60, TimeUnit.SECONDS));
                // The cancelled job reports its step once it has stopped: wait for that.
                while (events.stream().noneMatch(e -> e instanceof BuildEvent.StepFailed)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
            List<String> failures = events.stream().filter(e -> e instanceof BuildEvent.StepFailed)
                    .map(e -> ((BuildEvent.StepFailed) e).message()).toList();
            assertEquals(List.of("cancelled"), failures, events.toString());
        }
    }
}
