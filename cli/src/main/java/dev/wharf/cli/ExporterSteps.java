package dev.wharf.cli;

import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildResult;
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
     * {@code push} is {@code --push}, which exports through the image exporter too.
     */
    static void show(BuildProgress display, BuildResult result, List<BuildOutput> parsedOutputs, boolean push) {
        boolean imageExporter = parsedOutputs.isEmpty() || push || parsedOutputs.stream()
                .map(BuildOutput::type).anyMatch(t -> t.equals("image") || t.equals("registry"));
        if (imageExporter) {
            List<String> statuses = new ArrayList<>(List.of("exporting layers", "writing image " + result.imageId()));
            for (String tag : result.tags()) {
                statuses.add("naming to " + normalized(tag));
            }
            display.exported("exporting to image", statuses);
        }
        for (BuildOutput output : parsedOutputs) {
            switch (output.type()) {
                case "local" -> display.exported("exporting to client directory", List.of("copying files"));
                case "tar" -> display.exported("exporting to client tarball", List.of("sending tarball"));
                case "oci", "docker" -> display.exported("exporting to " + output.type()
                        + " image format", List.of("exporting layers", "exporting manifest " + result.imageDigest(),
                        "exporting config " + result.imageId(), "sending tarball"));
                default -> {
                    // image and registry: the image exporter above.
                }
            }
        }
    }

    /**
     * The name an image exporter's {@code naming to} line shows: the reference normalized (domain and
     * {@code library/} added) but with no tag added, as buildx passes it. The peer (buildx 0.13.1) shows
     * {@code naming to docker.io/library/app done} for {@code -t app} and {@code naming to 127.0.0.1:5000/p/x done}
     * for {@code -t 127.0.0.1:5000/p/x}.
     */
    static String normalized(String tag) {
        try {
            return dev.wharf.layers.registry.ImageReference.parse(tag).toString();
        } catch (dev.wharf.layers.registry.InvalidReferenceException e) {
            return tag;
        }
    }
}
