package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupWarmerTest {

    @Test
    void hashingOnFirstTransfer_passesEveryEventOnInOrder() {
        List<BuildEvent> seen = new ArrayList<>();
        ProgressListener listener = StartupWarmer.hashingOnFirstTransfer(seen::add);
        List<BuildEvent> events = List.of(new BuildEvent.StepStarted(1, "", 1, 2, "FROM busybox"),
                new BuildEvent.StepCached(1), new BuildEvent.Transfer(2, "layer", 0, 10, false),
                new BuildEvent.Transfer(2, "layer", 10, 10, true), new BuildEvent.StepDone(2, Duration.ofMillis(3)));
        events.forEach(listener::onEvent);
        assertEquals(events, seen);
    }

    @Test
    void startsHashing_atBlobsLayersAndRegistryResolutionsButNotTheDockerfilesTransfer() {
        assertFalse(StartupWarmer.startsHashing(new BuildEvent.StepStarted(1, "internal", 0, 0,
                "load build definition from Dockerfile")));
        assertFalse(StartupWarmer.startsHashing(new BuildEvent.Transfer(1, "transferring dockerfile:", 52, 0, true)));
        assertFalse(StartupWarmer.startsHashing(new BuildEvent.StepStarted(2, "", 1, 2, "COPY a b")));
        assertTrue(StartupWarmer.startsHashing(new BuildEvent.StepStarted(2, "internal", 0, 0,
                "load metadata for docker.io/library/busybox:latest")));
        assertTrue(StartupWarmer.startsHashing(new BuildEvent.Transfer(3, "writing layer", 0, 10, false)));
    }

    @Test
    void startsHashing_atALayerExportOnlyWhenTheLayerIsLarge() {
        assertFalse(StartupWarmer.startsHashing(new BuildEvent.Transfer(3, "exporting layer", 0, 4096, false)));
        assertFalse(StartupWarmer.startsHashing(new BuildEvent.Transfer(3, "exporting layer", 4096, 4096, true)));
        assertTrue(StartupWarmer.startsHashing(new BuildEvent.Transfer(3, "exporting layer", 0, 300L << 20, false)));
    }

    @Test
    void hashesAtStart_forPullsAndBuildsThatPullButNotForNoCacheBuilds() {
        assertTrue(StartupWarmer.hashesAtStart(new String[] {"pull", "busybox"}));
        assertTrue(StartupWarmer.hashesAtStart(new String[] {"build", "--pull", "."}));
        assertFalse(StartupWarmer.hashesAtStart(new String[] {"build", "--no-cache", "."}));
        assertFalse(StartupWarmer.hashesAtStart(new String[] {"build", "."}));
        assertFalse(StartupWarmer.hashesAtStart(new String[] {"version"}));
    }

    @Test
    void hashingOnFirstTransfer_startsNoHashingForAFullyCachedBuild() {
        ProgressListener listener = StartupWarmer.hashingOnFirstTransfer(ProgressListener.none());
        listener.onEvent(new BuildEvent.StepStarted(1, "internal", 0, 0, "load build definition from Dockerfile"));
        listener.onEvent(new BuildEvent.Transfer(1, "transferring dockerfile:", 52, 0, true));
        listener.onEvent(new BuildEvent.StepDone(1, Duration.ZERO));
        // BuildKit's vertexes of a build from the store's image: no registry, no hashing.
        listener.onEvent(new BuildEvent.StepStarted(2, "internal", 0, 0,
                "load metadata for docker.io/library/busybox:latest"));
        listener.onEvent(new BuildEvent.StepDone(2, Duration.ZERO));
        listener.onEvent(new BuildEvent.StepStarted(3, "internal", 0, 0, "load .dockerignore"));
        listener.onEvent(new BuildEvent.Transfer(3, "transferring context:", 2, 0, true));
        listener.onEvent(new BuildEvent.StepDone(3, Duration.ZERO));
        listener.onEvent(new BuildEvent.StepStarted(4, "internal", 0, 0, "load build context"));
        listener.onEvent(new BuildEvent.Transfer(4, "transferring context:", 38, 0, true));
        listener.onEvent(new BuildEvent.StepDone(4, Duration.ZERO));
        listener.onEvent(new BuildEvent.StepStarted(5, "", 1, 1, "COPY a b"));
        listener.onEvent(new BuildEvent.StepCached(5));
        listener.onEvent(new BuildEvent.StepDone(5, Duration.ZERO));
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("wharf-warm-up-hash")));
    }

    @Test
    void theDockerfileGuessForTheParseCache() {
        assertEquals(java.util.Optional.of(java.nio.file.Path.of("ctx", "Dockerfile")),
                StartupWarmer.dockerfile(new String[] {"build", "--progress", "quiet", "-t", "a", "ctx"}));
        assertEquals(java.util.Optional.of(java.nio.file.Path.of("x.Dockerfile")),
                StartupWarmer.dockerfile(new String[] {"build", "-f", "x.Dockerfile", "ctx"}));
        assertEquals(java.util.Optional.of(java.nio.file.Path.of("y")),
                StartupWarmer.dockerfile(new String[] {"build", "--file=y", "ctx"}));
        // Contexts it cannot read ahead: the parser is warmed up as before.
        assertTrue(StartupWarmer.dockerfile(new String[] {"build", "-"}).isEmpty());
        assertTrue(StartupWarmer.dockerfile(new String[] {"build", "-f", "-", "ctx"}).isEmpty());
        assertTrue(StartupWarmer.dockerfile(new String[] {"build", "https://example.com/repo.git"}).isEmpty());
        assertTrue(StartupWarmer.dockerfile(new String[] {"build", "git@example.com:repo.git"}).isEmpty());
    }
}
