package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ImageSummary;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.api.PushSummary;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Builds whose base images live only in a real registry (docker-registry on a free 127.0.0.1 port): FROM pulls
 * into a fresh store, a stored tag needs no registry, {@code --pull} follows a moved tag, digests pin, images push
 * and pull back with the same digest, a second push uploads nothing, and a missing image fails at its line.
 */
class RegistryBuildTest extends RegistryEngineFixture {
    @BeforeEach
    void seedRegistry() throws Exception {
        seedRegistryWithBusybox();
    }

    private static BuildResult build(BuildEngine engine, BuildRequest.Builder request) throws Exception {
        return engine.build(request.build()).get(5, TimeUnit.MINUTES);
    }

    @Test
    void fromAnImageOnlyInARegistryPullsItAndNamesItByItsFullReference() throws Exception {
        BuildEngine engine = engine("fresh");
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        String base = registry.host() + "/busybox:1";
        build(engine, BuildRequest.builder(context("FROM " + base + "\nRUN echo pulled > /marker\n"))
                .tag("app:1").listener(events::add));

        assertTrue(events.stream().anyMatch(e -> e instanceof BuildEvent.StepStarted s && s.stage().equals("internal")
                && s.name().equals("load metadata for " + base)), events.toString());
        assertTrue(events.stream().anyMatch(e -> e instanceof BuildEvent.BlobTransferred b && b.moved()
                && b.step() > 1), "the layer download is reported under the FROM step: " + events);
        assertEquals(List.of("pulled"), lines(engine, "app:1", "cat", "/marker"));
        LocalStore store = LocalStore.open(temp.resolve("fresh"));
        assertTrue(store.images().resolve(ImageName.parse(base)).isPresent(), "the base image is named " + base);
    }

    @Test
    void aStoredTagIsUsedWithoutTheRegistry() throws Exception {
        BuildEngine engine = engine("fresh");
        String registry0 = registry.host();
        String dockerfile = "FROM " + registry.host() + "/busybox:1\nRUN echo one > /one\n";
        build(engine, BuildRequest.builder(context(dockerfile)).tag("app:1"));
        stopRegistry();

        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        build(engine, BuildRequest.builder(context(dockerfile + "RUN echo two > /two\n")).tag("app:2")
                .listener(events::add));

        // The registry is gone, so the build succeeding shows it was not asked; BuildKit still shows the image's
        // metadata vertex (resolved from its store), after the definition's, and so does wharf.
        int definitionDone = -1;
        int metadata = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof BuildEvent.StepDone d && d.step() == 1 && definitionDone < 0) {
                definitionDone = i;
            } else if (events.get(i) instanceof BuildEvent.StepStarted s && s.stage().equals("internal")
                    && s.name().equals("load metadata for " + registry0 + "/busybox:1")) {
                metadata = i;
            }
        }
        assertTrue(definitionDone >= 0 && metadata > definitionDone, "metadata from the store: " + events);
        assertFalse(events.stream().anyMatch(e -> e instanceof BuildEvent.StepFailed), events.toString());
        assertEquals(List.of("one", "two"), lines(engine, "app:2", "cat", "/one", "/two"));
    }

    @Test
    void pullFollowsATagThatMovedAndWithoutPullTheStoredImageIsKept() throws Exception {
        BuildEngine engine = engine("fresh");
        String base = registry.host() + "/busybox:1";
        String dockerfile = "FROM " + base + "\nRUN cat /version 2>/dev/null || echo none\n"
                + "RUN cat /version > /seen 2>/dev/null || echo none > /seen\n";
        build(engine, BuildRequest.builder(context(dockerfile)).tag("app:1"));
        assertEquals(List.of("none"), lines(engine, "app:1", "cat", "/seen"));

        // Move the tag: the seed store builds a second version and pushes it under the same name.
        BuildEngine seed = engine("seed");
        build(seed, BuildRequest.builder(context("FROM " + base + "\nRUN echo v2 > /version\n"))
                .tag(base).output(BuildOutput.parse("type=image,push=true")));

        build(engine, BuildRequest.builder(context(dockerfile)).tag("app:2"));
        assertEquals(List.of("none"), lines(engine, "app:2", "cat", "/seen"), "without --pull the stored tag wins");

        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        build(engine, BuildRequest.builder(context(dockerfile)).tag("app:3").pull(true).listener(events::add));
        assertEquals(List.of("v2"), lines(engine, "app:3", "cat", "/seen"));
        assertTrue(events.stream().anyMatch(e -> e instanceof BuildEvent.StepStarted s
                && s.name().equals("load metadata for " + base)), events.toString());
        assertEquals(List.of("v2"), lines(engine, base, "cat", "/version"), "the local tag moved too");
    }

    @Test
    void pushThenPullInAFreshStoreGivesTheSameDigestAndASecondPushUploadsNothing() throws Exception {
        BuildEngine engine = engine("fresh");
        String app = registry.host() + "/team/app:1.0";
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildResult built = build(engine, BuildRequest.builder(context("FROM " + registry.host()
                + "/busybox:1\nRUN echo app > /app\n")).tag(app).output(BuildOutput.parse("type=registry"))
                .listener(events::add));
        // As buildx shows docker's push: a vertex per name, a "pushing layer" status per layer, done.
        int pushStep = events.stream().filter(e -> e instanceof BuildEvent.StepStarted s
                && s.name().equals("pushing " + app + " with docker")).mapToInt(e -> ((BuildEvent.StepStarted) e).step())
                .findFirst().orElseThrow();
        List<String> done = events.stream()
                .filter(e -> e instanceof BuildEvent.Transfer t && t.step() == pushStep && t.completed())
                .map(e -> ((BuildEvent.Transfer) e).id()).toList();
        assertEquals(built.layers().stream().map(l -> "pushing layer " + l.diffId().substring(7, 19)).sorted()
                .toList(), done.stream().sorted().toList(), events.toString());
        // busybox's layer is mounted from its repository on the same registry: no bytes of it move, where the RUN
        // layer's are counted as they are compressed and uploaded.
        String baseLayer = "pushing layer " + built.layers().get(0).diffId().substring(7, 19);
        String runLayer = "pushing layer " + built.layers().get(1).diffId().substring(7, 19);
        assertTrue(events.stream().noneMatch(e -> e instanceof BuildEvent.Transfer t && t.step() == pushStep
                && t.id().equals(baseLayer) && t.current() > 0), events.toString());
        assertTrue(events.stream().anyMatch(e -> e instanceof BuildEvent.Transfer t && t.step() == pushStep
                && t.id().equals(runLayer) && t.current() > 0), events.toString());

        PushSummary again = engine.push(app, ProgressListener.none());
        assertEquals(0, again.blobsUploaded(), "every blob is already in the registry");
        assertEquals(built.imageDigest(), again.digest());

        ImageSummary pulled = engine("other").pull(app, Optional.empty(), ProgressListener.none());
        assertEquals(built.imageDigest(), pulled.digest());
        assertEquals(built.imageId(), pulled.imageId());
        assertEquals(List.of("app"), lines(engines.get(engines.size() - 1), app, "cat", "/app"));
    }

    @Test
    void aDigestReferenceIsPulledAndUsedAsBase() throws Exception {
        ImageSummary seedImage = engine("probe").pull(registry.host() + "/busybox:1", Optional.empty(),
                ProgressListener.none());
        BuildEngine engine = engine("fresh");
        String pinned = registry.host() + "/busybox@" + seedImage.digest();
        build(engine, BuildRequest.builder(context("FROM " + pinned + "\nRUN echo pinned > /p\n"
                + "FROM " + pinned + "\nCOPY --from=" + pinned + " /bin/busybox /copied\n"
                + "COPY --from=0 /p /p\n")).tag("pinned:1"));
        assertEquals(List.of("pinned"), lines(engine, "pinned:1", "cat", "/p"));
        // The base pulled by digest keeps that reference (docker's RepoDigest), so it is listed and not pruned.
        assertTrue(engine.images().stream().anyMatch(i -> i.name().equals(pinned)), engine.images().toString());
    }

    @Test
    void runMountFromAnImageOnlyInARegistryPullsIt() throws Exception {
        String other = registry.host() + "/other:2";
        build(engine("seed"), BuildRequest.builder(context("FROM " + registry.host() + "/busybox:1\n"
                + "RUN echo from the other image > /other.txt\n")).tag(other)
                .output(BuildOutput.parse("type=registry")));
        BuildEngine engine = engine("fresh");
        build(engine, BuildRequest.builder(context("FROM " + registry.host() + "/busybox:1\n"
                + "RUN --mount=from=" + other + ",target=/o cat /o/other.txt > /seen\n")).tag("mounted:1"));
        assertEquals(List.of("from the other image"), lines(engine, "mounted:1", "cat", "/seen"));
        assertFalse(lines(engine, "mounted:1", "ls", "/").contains("other.txt"),
                "the mounted image's files are not in the result");
    }

    @Test
    void anImageTheRegistryDoesNotHaveFailsAtItsLineNamingTheReference() throws Exception {
        BuildEngine engine = engine("fresh");
        String missing = registry.host() + "/nosuch:1";
        ExecutionException e = assertThrows(ExecutionException.class, () -> build(engine,
                BuildRequest.builder(context("# a comment\nFROM " + missing + "\nRUN true\n"))));
        BuildFailedException failed = assertInstanceOf(BuildFailedException.class, e.getCause());
        assertEquals(2, failed.line());
        assertTrue(failed.getMessage().contains("failed to resolve source metadata for " + missing),
                failed.getMessage());
    }

    @Test
    void pushingWithoutANameIsRefusedBeforeBuilding() throws Exception {
        BuildEngine engine = engine("fresh");
        ExecutionException e = assertThrows(ExecutionException.class, () -> build(engine,
                BuildRequest.builder(context("FROM scratch\n")).output(BuildOutput.parse("type=registry"))));
        assertInstanceOf(EngineException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("tag is needed when pushing"), e.getCause().getMessage());
    }
}
