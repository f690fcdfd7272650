package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.api.ImageAnnotation;
import dev.wharf.cache.remote.InlineCache;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.store.ImageName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * What a build makes of the image its steps produced: writes its config and OCI manifests (one per set of
 * annotations), tags it, pushes it to the {@code push=true} outputs' names and exports it to the other {@code -o}
 * outputs, and reports the digests the build gives back. One per build, used once, after the steps ran.
 */
final class ImageOutputs {
    /** The OCI annotation BuildKit's oci and docker exporters put on the archive's index entry. */
    private static final String CREATED_ANNOTATION = "org.opencontainers.image.created";

    private final Workspace workspace;
    private final EngineOptions options;
    private final BuildRequest request;
    private final Registries registries;
    private final RegistryImages images;
    /** The build's progress step numbers: the push is one more step. */
    private final AtomicInteger steps;
    /** {@code BUILDKIT_MULTI_PLATFORM=1}: pushes and oci/docker exports hand out an index over the manifest. */
    private final Optional<PlatformIndex> platformIndex;

    ImageOutputs(Workspace workspace, EngineOptions options, BuildRequest request, Registries registries,
                 RegistryImages images, AtomicInteger steps, Optional<PlatformIndex> platformIndex) {
        this.workspace = workspace;
        this.options = options;
        this.request = request;
        this.registries = registries;
        this.images = images;
        this.steps = steps;
        this.platformIndex = platformIndex;
    }

    BuildResult write(BuildExecutor.State state, OffsetDateTime created,
                              List<BuildResult.StepTiming> timings, Path scratch, OptionalLong epoch,
                              List<dev.wharf.cache.CacheRecord> inlineRecords)
            throws IOException, EngineException, InterruptedException {
        long started = System.nanoTime();
        // As BuildKit's exporter: the image is as old as its newest history entry, so a fully cached rebuild
        // gives the same config and digest; SOURCE_DATE_EPOCH already dated every entry.
        List<dev.wharf.layers.image.HistoryEntry> history = HistoryTimes.fill(state.image().history(), created);
        OffsetDateTime newest = history.isEmpty() || history.get(history.size() - 1).created() == null
                ? created : history.get(history.size() - 1).created();
        ImageConfiguration config = state.image().withLayers(state.image().rootfs(), history).withCreated(newest);
        if (!request.labels().isEmpty()) {
            Map<String, String> labels = new TreeMap<>(config.config().labels());
            labels.putAll(request.labels());
            config = config.withConfig(config.config().toBuilder().labels(labels).build());
        }
        if (!inlineRecords.isEmpty()) {
            Optional<com.fasterxml.jackson.databind.JsonNode> inline = InlineCache.embed(inlineRecords,
                    config.rootfs().diffIds(), epoch.isPresent() ? Optional.of(newest.toInstant()) : Optional.empty());
            if (inline.isPresent()) {
                config = config.withUnknownField(InlineCache.CONFIG_FIELD, inline.get());
            }
        }
        long layersDone = System.nanoTime();
        Descriptor configDescriptor = workspace.store().writer().writeConfig(config);
        // The manifest is OCI, so a Docker-typed layer of a schema 2 base image takes its OCI type, as BuildKit's
        // image writer converts them (ConvertLayerMediaType): a manifest of mixed types is one strict readers refuse.
        // A base's non-distributable layer becomes an ordinary one without URLs, as BuildKit's ociDesc makes it
        // (prefer-nondist-layers, which wharf does not offer, is off by default): the blob is here, so it is pushed.
        List<Descriptor> layers = state.layers().stream().map(LayerBlob::descriptor)
                .map(d -> new Descriptor(MediaTypes.toOci(MediaTypes.toDistributable(d.mediaType())), d.digest(),
                        d.size(), null, d.annotations(), d.data(), d.platform(), d.artifactType()))
                .toList();
        boolean tagged = request.outputs().isEmpty()
                || request.outputs().stream().anyMatch(o -> o.type().equals("image"));
        List<BuildOutput> imageOutputs = request.outputs().stream().filter(o -> o.type().equals("image")).toList();
        if (platformIndex.isEmpty()
                && (request.outputs().isEmpty() && request.annotations().stream().anyMatch(ImageAnnotation::onIndex)
                || request.outputs().stream()
                        .filter(o -> !o.type().equals("local") && !o.type().equals("tar"))
                        .anyMatch(o -> annotations(o).stream().anyMatch(ImageAnnotation::onIndex)))) {
            // exporter/containerimage/writer.go: a single-platform image has no index to annotate.
            throw new EngineException("index annotations not supported for single platform export");
        }
        // Each image exporter of BuildKit writes its own manifest with its own annotations (buildx passes every -o
        // to the solve as an exporter of its own): outputs that differ get manifests of their own, written once
        // per set of annotations.
        Map<TreeMap<String, String>, Descriptor> manifests = new java.util.HashMap<>();
        IoFunction<List<ImageAnnotation>, Descriptor> manifestOf = list -> {
            TreeMap<String, String> own = ofType(list, ImageAnnotation.MANIFEST);
            Descriptor known = manifests.get(own);
            if (known == null) {
                known = writeManifest(configDescriptor, layers, own);
                manifests.put(own, known);
            }
            return known;
        };
        // The build's image: the first image output's, else (no output) the one --annotation describes.
        Descriptor manifest = manifestOf.apply(request.outputs().isEmpty() ? request.annotations()
                : imageOutputs.isEmpty() ? List.of() : annotations(imageOutputs.get(0)));
        List<String> names = new ArrayList<>(tagged ? request.tags() : List.of());
        // A name gets the manifest of the first image output that names it (the tags: every image output, as
        // buildx fills them into each one's name).
        Map<String, Descriptor> named = new java.util.HashMap<>();
        for (BuildOutput output : imageOutputs) {
            Descriptor own = manifestOf.apply(annotations(output));
            for (String n : output.names()) {
                named.putIfAbsent(n, own);
                if (!names.contains(n)) {
                    names.add(n);
                }
            }
            request.tags().forEach(t -> named.putIfAbsent(t, own));
        }
        long written = System.nanoTime();
        List<java.time.Duration> naming = new ArrayList<>();
        for (String tag : names) {
            long start = System.nanoTime();
            workspace.store().images().tag(ImageName.parse(tag), named.getOrDefault(tag, manifest));
            naming.add(ImagePushes.since(start));
        }
        if (platformIndex.isPresent() && request.outputs().stream().anyMatch(o -> o.type().equals("docker"))) {
            // exporter/oci/export.go refuses a result per platform in its docker variant.
            throw new dev.wharf.builder.api.BuildFailedException("exporting to docker image format", "", 0, null,
                    "docker exporter does not currently support exporting manifest lists", null, false);
        }
        // The image exporter's vertex takes the next step number: the display shows it before the pushes.
        Optional<LayerCompressor.Compressed> pushed = push(output -> manifestOf.apply(annotations(output)),
                pushNames(request).isEmpty() ? null : new BuildEvent.ImageWritten(steps.incrementAndGet(),
                        configDescriptor.digest().toString(), names, !layers.isEmpty(),
                        java.time.Duration.ofNanos(layersDone - started),
                        java.time.Duration.ofNanos(written - layersDone), naming));
        ImageExporter exporter = new ImageExporter(workspace.store().blobs(), workspace.posix(),
                workspace.store().json());
        LayerCompressor compressor = workspace.layerCompressor();
        LayerCompressor.Compressed exported = null;
        // exporter/oci (both variants, tarball or layout directory) dates the index entry: SOURCE_DATE_EPOCH,
        // else the export time, in Go's time.RFC3339 (whole seconds, UTC). Formatted there, for those outputs only:
        // DateTimeFormatter's first use costs a build that only tags its image (most, and every cached one) the
        // formatter's set-up in the interpreter.
        java.time.Instant archived = (epoch.isPresent()
                ? java.time.Instant.ofEpochSecond(epoch.getAsLong()) : options.clock().instant())
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        List<BuildResult.OutputExport> outputReports = new ArrayList<>();
        ExportTimes times = new ExportTimes(workspace.snapshotter(),
                state.layers().stream().map(l -> l.diffId()).toList(), workspace.posix(), epoch);
        for (BuildOutput output : request.outputs()) {
            long outputStart = System.nanoTime();
            java.time.Duration compressing = java.time.Duration.ZERO;
            String ownManifest = "";
            String ownIndex = "";
            long sent = 0;
            Path dest = output.dest().map(Path::toAbsolutePath).orElse(null);
            switch (output.type()) {
                case "oci", "docker" -> {
                    // Each exporter writes its own manifest: this output's annotations may differ from the store's.
                    List<ImageAnnotation> own = annotations(output);
                    Descriptor source = manifestOf.apply(own);
                    boolean oci = ociTypes(output);
                    LayerCompressor.Compressed image = typed(compressor.image(source, output.compression()), oci);
                    compressing = ImagePushes.since(outputStart);
                    outputStart = System.nanoTime();
                    // The archive's index.json names the index when there is one (its index-descriptor
                    // annotations), else the manifest (its manifest-descriptor annotations).
                    LayerCompressor.Compressed handedOut = indexed(image, own, oci);
                    ownManifest = image.manifest().digest().toString();
                    ownIndex = platformIndex.isPresent() ? handedOut.manifest().digest().toString() : "";
                    Map<String, String> described = new TreeMap<>(handedOut.manifest().annotations());
                    described.putAll(ofType(own, platformIndex.isPresent() ? ImageAnnotation.INDEX_DESCRIPTOR
                            : ImageAnnotation.MANIFEST_DESCRIPTOR));
                    described.put(CREATED_ANNOTATION,
                            java.time.format.DateTimeFormatter.ISO_INSTANT.format(archived));
                    ImageExporter.Image out = new ImageExporter.Image(handedOut.manifest().withAnnotations(described),
                            image.manifest(), configDescriptor, image.layers());
                    List<String> archiveNames = output.archiveNames(request.tags());
                    if (output.type().equals("docker")) {
                        exporter.docker(dest, out, archiveNames);
                    } else if (output.tar()) {
                        exporter.ociArchive(dest, out, archiveNames);
                    } else {
                        exporter.oci(dest, out, archiveNames);
                    }
                    exported = exported == null ? handedOut : exported;
                }
                case "local" -> sent = exporter.local(dest, layers, times);
                case "tar" -> exporter.tar(dest, layers, scratch, workspace.layerWriter(epoch), times);
                default -> {
                    // image: tagged above
                }
            }
            outputReports.add(new BuildResult.OutputExport(compressing, output.type().equals("image")
                    ? java.time.Duration.ZERO : ImagePushes.since(outputStart), ownManifest, ownIndex, sent));
        }
        // The digest a build reports (BuildKit's containerimage.digest): the image as it left the store, pushed or
        // else exported as a layout or tarball when not kept in the store; else the local image.
        LayerCompressor.Compressed reported = pushed.orElse(
                !tagged && exported != null ? exported : new LayerCompressor.Compressed(manifest, layers));
        List<BuildResult.Layer> out = new ArrayList<>();
        for (int i = 0; i < state.layers().size(); i++) {
            Descriptor layer = reported.layers().get(i);
            out.add(new BuildResult.Layer(layer.digest().toString(), state.layers().get(i).diffId().toString(),
                    layer.size(), layer.mediaType()));
        }
        return new BuildResult(reported.manifest().digest().toString(), configDescriptor.digest().toString(),
                new String(workspace.store().json().write(config), StandardCharsets.UTF_8), out,
                names, timings, new BuildResult.ExportTimes(java.time.Duration.ofNanos(layersDone - started),
                        java.time.Duration.ofNanos(written - layersDone), naming, outputReports));
    }

    /**
     * {@code image} as the build hands it out: wrapped in the platform index when {@code BUILDKIT_MULTI_PLATFORM}
     * asks for one (the output's manifest-descriptor annotations on the index's entry, its index annotations in the
     * index), else as it is.
     */
    private LayerCompressor.Compressed indexed(LayerCompressor.Compressed image, List<ImageAnnotation> own,
                                               boolean oci) throws LayerException {
        if (platformIndex.isEmpty()) {
            return image;
        }
        Descriptor index = platformIndex.get().wrap(image.manifest(),
                ofType(own, ImageAnnotation.MANIFEST_DESCRIPTOR), ofType(own, ImageAnnotation.INDEX), oci);
        return new LayerCompressor.Compressed(index, image.layers());
    }

    /** {@code image} (compressed, with the store's OCI types) in the media types its output hands out. */
    private LayerCompressor.Compressed typed(LayerCompressor.Compressed image, boolean oci) throws LayerException {
        return oci ? image : DockerTypes.of(workspace.store(), image);
    }

    /**
     * Whether {@code output} hands its image out with OCI media types: its own choice or its exporter's default
     * ({@link BuildOutput#ociTypes()}), turned on by any annotation but the manifest's own, as BuildKit's image writer
     * does ("forcibly turning on oci-mediatype mode for annotations": Docker's formats have no descriptor or index
     * annotations), whichever platform it names.
     */
    private boolean ociTypes(BuildOutput output) {
        return output.ociTypes()
                || annotations(output).stream().anyMatch(a -> !a.type().equals(ImageAnnotation.MANIFEST));
    }

    /** A function that may fail with an I/O error. */
    @FunctionalInterface
    private interface IoFunction<T, R> {
        R apply(T value) throws IOException;
    }

    private Descriptor writeManifest(Descriptor config, List<Descriptor> layers, TreeMap<String, String> annotations)
            throws IOException {
        return workspace.store().writer().writeManifest(new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config,
                layers, null, annotations, null));
    }

    /**
     * The annotations of {@code output}'s image: its own ({@code -o ...,annotation.KEY=VALUE}) and the request's
     * {@code --annotation}s, which buildx writes into every output's options (commands/build.go), replacing the
     * output's own of the same type, platform and key.
     */
    private List<ImageAnnotation> annotations(BuildOutput output) {
        return ImageAnnotation.lastOfEach(
                Stream.concat(output.annotations().stream(), request.annotations().stream()).toList());
    }

    /**
     * The annotations of {@code type} among {@code all} that apply to this image: BuildKit's exporter takes those
     * without a platform for a single-platform image ({@code AnnotationsGroup.Platform(nil)} in writer.go), so one
     * limited to a platform is left out even when it is the build's. For the platform index of
     * {@code BUILDKIT_MULTI_PLATFORM} it takes {@code Platform(&platform)}: index annotations of any platform, and
     * the manifest's own ones without a platform and then those of its platform.
     */
    private TreeMap<String, String> ofType(List<ImageAnnotation> all, String type) {
        TreeMap<String, String> out = new TreeMap<>();
        boolean onIndex = type.equals(ImageAnnotation.INDEX) || type.equals(ImageAnnotation.INDEX_DESCRIPTOR);
        for (ImageAnnotation a : all) {
            if (a.type().equals(type) && (a.platform().isEmpty() || onIndex && platformIndex.isPresent())) {
                out.put(a.key(), a.value());
            }
        }
        if (platformIndex.isPresent() && !onIndex) {
            String platform = platformIndex.get().platform().toString();
            for (ImageAnnotation a : all) {
                if (a.type().equals(type) && a.platform().filter(platform::equals).isPresent()) {
                    out.put(a.key(), a.value());
                }
            }
        }
        return out;
    }

    /**
     * Pushes the image to the names of {@code push=true} outputs, each with its output's compression and media types,
     * as buildx shows a push of the docker driver (build/build.go): after the image exporter's vertex, which
     * {@code written} tells the display to show first, one vertex per name, {@code pushing NAME with docker}.
     *
     * @return the image the first push output pushed, empty when nothing is pushed
     */
    private Optional<LayerCompressor.Compressed> push(IoFunction<BuildOutput, Descriptor> manifestOf,
                                                      BuildEvent.ImageWritten written)
            throws EngineException, IOException, InterruptedException {
        if (pushNames(request).isEmpty()) {
            return Optional.empty();
        }
        request.listener().onEvent(written);
        LayerCompressor compressor = workspace.layerCompressor();
        ImagePushes pushes = new ImagePushes(workspace.store(), compressor, registries, request.listener());
        LayerCompressor.Compressed first = null;
        List<String> done = new ArrayList<>();
        for (BuildOutput output : request.outputs()) {
            if (!output.push()) {
                continue;
            }
            List<String> outputNames = (output.names().isEmpty() ? request.tags() : output.names()).stream()
                    .filter(n -> !done.contains(n)).toList();
            Descriptor manifest = manifestOf.apply(output);
            List<ImageAnnotation> own = annotations(output);
            boolean oci = ociTypes(output);
            LayerCompressor.Compressed[] pushedImage = new LayerCompressor.Compressed[1];
            for (String name : outputNames) {
                pushOne(pushes, manifest, name, output, compressed -> {
                    pushedImage[0] = indexed(typed(new LayerCompressor.Compressed(compressed, List.of()), oci), own,
                            oci);
                    return pushedImage[0].manifest();
                });
            }
            if (first == null && pushedImage[0] != null) {
                // Compressed by the push just done: found in the variant index; its documents already written by
                // the push's wrap.
                LayerCompressor.Compressed image = typed(compressor.image(manifest, output.compression()), oci);
                first = new LayerCompressor.Compressed(pushedImage[0].manifest(), image.layers());
            }
            done.addAll(outputNames);
        }
        return Optional.ofNullable(first);
    }

    /** Pushes {@code manifest} to {@code name} as a vertex of its own. */
    private void pushOne(ImagePushes pushes, Descriptor manifest, String name, BuildOutput output,
                         ImagePushes.Wrap wrap) throws EngineException, IOException, InterruptedException {
        int step = steps.incrementAndGet();
        String vertex = "pushing " + name + " with docker";
        request.listener().onEvent(new BuildEvent.StepStarted(step, "", 0, 0, vertex));
        long start = System.nanoTime();
        try {
            pushes.push(manifest, List.of(name), step, images.sources(), output.compression(), wrap);
        } catch (EngineException | RuntimeException e) {
            if (Cancellation.causedBy(e)) {
                request.listener().onEvent(Cancellation.failed(step, e, ImagePushes.since(start)));
                throw Cancellation.of(e);
            }
            Optional<String> unreachable = e instanceof ImagePushes.PushFailed failed
                    ? failed.goReason().flatMap(ImageOutputs::dockerPing) : Optional.empty();
            request.listener().onEvent(new BuildEvent.StepFailed(step, unreachable.orElse(e.getMessage()),
                    ImagePushes.since(start)));
            if (unreachable.isPresent()) {
                // docker push pings the registry first and fails with that request's error, which buildx prints
                // as it is, after the solve ("ERROR: Get \"http://HOST/v2/\": dial tcp HOST: connect: ...").
                throw new dev.wharf.builder.api.BuildFailedException(vertex, "", 0, null, unreachable.get(), e,
                        false, true);
            }
            throw e;
        }
        request.listener().onEvent(new BuildEvent.StepDone(step, ImagePushes.since(start)));
    }

    /** The request docker push makes first ({@code GET /v2/}) as Go reports its failure, from the pusher's. */
    private static final java.util.regex.Pattern GO_REQUEST_FAILURE =
            java.util.regex.Pattern.compile("failed to do request: [A-Za-z]+ \"(https?)://([^/\"]+)/[^\"]*\": (.+)");

    /**
     * docker push's error when the registry cannot be reached: its ping of {@code /v2/} failed as the pusher's
     * request did ({@code Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused},
     * the peer's words); empty when {@code goReason} is no such failure. At a loopback registry the words name the
     * https URL BuildKit's resolver tries first, but dockerd's pusher reports its last endpoint, plain http.
     */
    static Optional<String> dockerPing(String goReason) {
        java.util.regex.Matcher m = GO_REQUEST_FAILURE.matcher(goReason);
        if (!m.matches()) {
            return Optional.empty();
        }
        String scheme = dev.wharf.layers.registry.RegistryClient.isLoopback(m.group(2)) ? "http" : m.group(1);
        return Optional.of("Get \"" + scheme + "://" + m.group(2) + "/v2/\": " + m.group(3));
    }

    /** The names {@code push=true} outputs push to: their {@code name=}s, else the build's tags. */
    static List<String> pushNames(BuildRequest request) {
        List<String> out = new ArrayList<>();
        for (BuildOutput output : request.outputs()) {
            if (output.push()) {
                (output.names().isEmpty() ? request.tags() : output.names()).stream()
                        .filter(n -> !out.contains(n)).forEach(out::add);
            }
        }
        return out;
    }
}
