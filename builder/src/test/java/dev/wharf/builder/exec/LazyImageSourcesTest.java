package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.layout.OciLayout;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Images read by {@code COPY --from=IMAGE} and {@code RUN --mount=from=IMAGE} are lazy, as BuildKit's image refs:
 * a build whose steps hit the cache resolves the image's manifest and config but downloads none of its layers
 * (the copy is keyed by the checksum remembered for the image's chain of layers); a step that misses pulls them,
 * reporting the download under the image's source vertex. Against a real registry, with a store that has the
 * build's cache records but lost the image (untagged, its top layer's blob gone, as {@code wharf rmi} and
 * {@code wharf prune} leave it).
 */
class LazyImageSourcesTest extends RegistryEngineFixture {

    @Test
    void cachedStepsReadingARegistryImage_downloadNoLayer_andAMissPullsIt() throws Exception {
        seedRegistryWithBusybox();
        String base = registry.host() + "/busybox:1";
        String other = registry.host() + "/other:2";
        engine("seed").build(BuildRequest.builder(context("FROM " + base + "\nRUN echo from the other image"
                + " > /other.txt\n")).tag(other).output(BuildOutput.parse("type=registry")).build())
                .get(5, TimeUnit.MINUTES);
        String dockerfile = "FROM " + base + "\nCOPY --from=" + other + " /other.txt /copied\n"
                + "RUN --mount=from=" + other + ",target=/o cat /o/other.txt > /seen\n";
        Path context = context(dockerfile);

        BuildEngine engine = engine("fresh");
        List<BuildEvent> first = build(engine, context, "app:1");
        assertEquals(List.of("from the other image"), lines(engine, "app:1", "cat", "/seen"));
        LocalStore store = LocalStore.open(temp.resolve("fresh"));
        Descriptor manifest = store.images().resolve(ImageName.parse(other)).orElseThrow();
        Digest top = topLayer(store, manifest);
        assertTrue(moved(first).contains(top.toString()), "the first build pulls the layer: " + first);

        // What rmi and prune leave: the build's cache records, not the image or the blob only it used.
        assertTrue(store.images().untag(ImageName.parse(other)));
        Files.delete(OciLayout.at(temp.resolve("fresh")).blob(top));

        List<BuildEvent> cached = build(engine, context, "app:2");
        assertEquals(2, cached.stream().filter(e -> e instanceof BuildEvent.StepCached c && label(cached, c.step())
                .contains("from=" + other)).count(), "both steps hit the cache: " + cached);
        assertFalse(moved(cached).contains(top.toString()), "no layer of " + other + " is fetched: " + cached);
        assertFalse(Files.exists(OciLayout.at(temp.resolve("fresh")).blob(top)));
        assertTrue(cached.stream().anyMatch(e -> e instanceof BuildEvent.StepStarted s
                && s.label().contains(other) && s.label().startsWith("FROM ")), "its source vertex shows: " + cached);

        // A copy that misses needs the files: the layer is pulled then, under the image's vertex.
        Files.writeString(context.resolve("Dockerfile"), dockerfile.replace("/copied", "/copied-again"));
        List<BuildEvent> missed = build(engine, context, "app:3");
        assertTrue(moved(missed).contains(top.toString()), "the miss pulls the layer: " + missed);
        int vertex = missed.stream().filter(e -> e instanceof BuildEvent.StepStarted s && s.label().contains(other)
                && s.label().startsWith("FROM ")).mapToInt(e -> ((BuildEvent.StepStarted) e).step()).findFirst()
                .orElseThrow();
        assertTrue(missed.stream().anyMatch(e -> e instanceof BuildEvent.BlobTransferred b && b.moved()
                && b.digest().equals(top.toString()) && b.step() == vertex), missed.toString());
        assertEquals(List.of("from the other image"), lines(engine, "app:3", "cat", "/copied-again"));
    }

    private static List<BuildEvent> build(BuildEngine engine, Path context, String tag) throws Exception {
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        engine.build(BuildRequest.builder(context).tag(tag).listener(events::add).build()).get(5, TimeUnit.MINUTES);
        return events;
    }

    private static List<String> moved(List<BuildEvent> events) {
        return events.stream().filter(e -> e instanceof BuildEvent.BlobTransferred b && b.moved())
                .map(e -> ((BuildEvent.BlobTransferred) e).digest()).toList();
    }

    private static String label(List<BuildEvent> events, int step) {
        return events.stream().filter(e -> e instanceof BuildEvent.StepStarted s && s.step() == step)
                .map(e -> ((BuildEvent.StepStarted) e).label()).findFirst().orElse("");
    }

    private static Digest topLayer(LocalStore store, Descriptor manifest) throws Exception {
        ImageManifest m = store.reader().readManifest(manifest);
        return m.layers().get(m.layers().size() - 1).digest();
    }
}
