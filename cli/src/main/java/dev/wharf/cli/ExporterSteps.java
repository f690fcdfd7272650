package dev.wharf.cli;

import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.cli.BuildProgress.ExporterStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The progress steps that end a successful {@code wharf build}: its exporters, as BuildKit shows them. Stateless. */
final class ExporterSteps {
    private ExporterSteps() {
    }

    /**
     * The exporters' vertexes as BuildKit names them: moby's image exporter for the image (exporter/mobyexporter:
     * "exporting to image"), then one per {@code -o} output of another type (exporter/local, tar and oci:
     * "exporting to client directory", "exporting to client tarball", "exporting to oci|docker image format").
     * {@code push} is {@code --push}, which exports through the image exporter too. Each status carries the time
     * the engine measured for its part (the plain printer shows it when over 0.01 s, as BuildKit's does).
     */
    static void show(BuildProgress display, BuildResult result, List<BuildOutput> parsedOutputs, boolean push) {
        boolean imageExporter = parsedOutputs.isEmpty() || push || parsedOutputs.stream()
                .map(BuildOutput::type).anyMatch(t -> t.equals("image") || t.equals("registry"));
        BuildResult.ExportTimes times = result.exportTimes();
        if (imageExporter && !display.imageShown()) {
            List<Duration> naming = new ArrayList<>();
            for (int i = 0; i < result.tags().size(); i++) {
                naming.add(times.naming(i));
            }
            display.exported("exporting to image", imageStatuses(result.imageId(), result.tags(),
                    !result.layers().isEmpty(), times.layers(), times.writing(), naming));
        }
        for (int i = 0; i < parsedOutputs.size(); i++) {
            BuildOutput output = parsedOutputs.get(i);
            BuildResult.OutputExport exported = times.output(i);
            switch (output.type()) {
                case "local" -> display.exported("exporting to client directory",
                        List.of(new ExporterStatus("copying files", exported.writing(), exported.sent())));
                case "tar" -> display.exported("exporting to client tarball",
                        List.of(new ExporterStatus("sending tarball", exported.writing())));
                case "oci", "docker" -> display.exported("exporting to " + output.type() + " image format",
                        ociStatuses(result, exported));
                default -> {
                    // image and registry: the image exporter above.
                }
            }
        }
    }

    /**
     * The image exporter's statuses: the layers (none for an image without any: moby's exporter has no snapshot to
     * export then, the peer shows no such line for {@code FROM scratch}), the image (its config digest), then each
     * name.
     */
    static List<ExporterStatus> imageStatuses(String imageId, List<String> names, boolean hasLayers, Duration layers,
                                              Duration writing, List<Duration> naming) {
        List<ExporterStatus> statuses = new ArrayList<>();
        if (hasLayers) {
            statuses.add(new ExporterStatus("exporting layers", layers));
        }
        statuses.add(new ExporterStatus("writing image " + imageId, writing));
        for (int i = 0; i < names.size(); i++) {
            statuses.add(new ExporterStatus("naming to " + normalized(names.get(i)),
                    i < naming.size() ? naming.get(i) : Duration.ZERO));
        }
        return statuses;
    }

    /**
     * The oci and docker exporters' statuses (exporter/oci through the image writer): {@code exporting layers},
     * {@code exporting manifest} of the output's own manifest (its layers compressed as the output says, so not the
     * store's), {@code exporting config}, {@code exporting manifest list} when {@code BUILDKIT_MULTI_PLATFORM=1}
     * wraps it in an index, then {@code sending tarball}; as BuildKit prints them (e.g. "#10 exporting manifest
     * sha256:... 0.0s done", "#10 exporting config sha256:... 0.0s done", "#10 exporting manifest list
     * sha256:... 0.0s done"). No attestation manifest: wharf makes no attestations.
     */
    private static List<ExporterStatus> ociStatuses(BuildResult result, BuildResult.OutputExport exported) {
        List<ExporterStatus> out = new ArrayList<>();
        out.add(new ExporterStatus("exporting layers", exported.layers()));
        String manifest = exported.manifest().isEmpty() ? result.imageDigest() : exported.manifest();
        out.add(new ExporterStatus("exporting manifest " + manifest, Duration.ZERO));
        out.add(new ExporterStatus("exporting config " + result.imageId(), Duration.ZERO));
        if (!exported.index().isEmpty()) {
            out.add(new ExporterStatus("exporting manifest list " + exported.index(), Duration.ZERO));
        }
        out.add(new ExporterStatus("sending tarball", exported.writing()));
        return out;
    }

    /**
     * The name an image exporter's {@code naming to} line shows: the reference normalized (domain and
     * {@code library/} added) but with no tag added, as buildx passes it. The peer (buildx 0.13.1) shows
     * {@code naming to docker.io/library/app done} for {@code -t app} and {@code naming to 127.0.0.1:5000/p/x done}
     * for {@code -t 127.0.0.1:5000/p/x}.
     */
    static String normalized(String tag) {
        return reference(tag, false);
    }

    /** {@code tag} normalized, with {@code :latest} added when {@code defaultTag}; as given when it is no reference. */
    static String reference(String tag, boolean defaultTag) {
        try {
            dev.wharf.layers.registry.ImageReference parsed = dev.wharf.layers.registry.ImageReference.parse(tag);
            return (defaultTag ? parsed.withDefaultTag() : parsed).toString();
        } catch (dev.wharf.layers.registry.InvalidReferenceException e) {
            return tag;
        }
    }
}
