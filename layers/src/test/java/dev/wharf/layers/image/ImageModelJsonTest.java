package dev.wharf.layers.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageModelJsonTest {
    private static final String D1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private static final String D2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private static final String D3 = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    /** Every field of an image config, in canonical form (spec order, escaped like Go, unknown fields last). */
    private static final String FULL_CONFIG = "{"
            + "\"created\":\"2024-05-06T07:08:09.123456789Z\","
            + "\"author\":\"wharf tests\","
            + "\"architecture\":\"arm64\",\"os\":\"linux\",\"os.version\":\"10.0.1\",\"os.features\":[\"win32k\"],"
            + "\"variant\":\"v8\","
            + "\"config\":{\"User\":\"1000:1000\",\"ExposedPorts\":{\"443/tcp\":{},\"80/tcp\":{}},"
            + "\"Env\":[\"PATH=/usr/bin\",\"A=\\u003cb\\u003e\\u0026c\"],\"Entrypoint\":[\"/bin/app\"],"
            + "\"Cmd\":[\"--flag\"],\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/srv\","
            + "\"Labels\":{\"a\":\"1\",\"b\":\"2\"},\"StopSignal\":\"SIGTERM\",\"ArgsEscaped\":true,"
            + "\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"curl -f http://localhost/\"],\"Interval\":30000000000,"
            + "\"Timeout\":5000000000,\"StartPeriod\":1000000000,\"StartInterval\":2000000000,\"Retries\":3},"
            + "\"OnBuild\":[\"RUN echo hi\"],\"Shell\":[\"/bin/sh\",\"-c\"],"
            + "\"Domainname\":\"\",\"Hostname\":\"abc\"},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D1 + "\",\"" + D2 + "\"]},"
            + "\"history\":[{\"created\":\"2024-05-06T07:08:09+02:00\",\"created_by\":\"RUN x\",\"author\":\"me\","
            + "\"comment\":\"buildkit.dockerfile.v0\"},{\"created_by\":\"ENV A=1\",\"empty_layer\":true}],"
            + "\"container\":\"abc\",\"docker_version\":\"24.0.0\",\"weight\":2.50}";

    private final CanonicalJson json = CanonicalJson.create();

    @Test
    void config_withEveryField_roundTripsByteIdentical() throws LayerException {
        ImageConfiguration config = read(FULL_CONFIG, ImageConfiguration.class);
        assertEquals(FULL_CONFIG, write(config));
    }

    @Test
    void config_withEveryField_readsIntoTheTypedModel() throws LayerException {
        ImageConfiguration config = read(FULL_CONFIG, ImageConfiguration.class);
        assertEquals(OffsetDateTime.of(2024, 5, 6, 7, 8, 9, 123_456_789, ZoneOffset.UTC), config.created());
        assertEquals(new Platform("arm64", "linux", "10.0.1", List.of("win32k"), "v8"), config.platform());
        ExecutionConfig c = config.config();
        assertEquals("1000:1000", c.user());
        assertEquals(List.of("443/tcp", "80/tcp"), List.copyOf(c.exposedPorts()));
        assertEquals(List.of("PATH=/usr/bin", "A=<b>&c"), c.env());
        assertEquals(List.of("/bin/app"), c.entrypoint());
        assertEquals(List.of("--flag"), c.cmd());
        assertEquals(List.of("/data"), List.copyOf(c.volumes()));
        assertEquals("/srv", c.workingDir());
        assertEquals(Map.of("a", "1", "b", "2"), c.labels());
        assertEquals("SIGTERM", c.stopSignal());
        assertTrue(c.argsEscaped());
        assertEquals(new Healthcheck(List.of("CMD-SHELL", "curl -f http://localhost/"), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(2), 3), c.healthcheck());
        assertEquals(List.of("RUN echo hi"), c.onBuild());
        assertEquals(List.of("/bin/sh", "-c"), c.shell());
        assertEquals(List.of("Domainname", "Hostname"), List.copyOf(c.unknownFields().keySet()));
        assertEquals(List.of(Digest.parse(D1), Digest.parse(D2)), config.rootfs().diffIds());
        assertEquals(2, config.history().size());
        assertEquals(ZoneOffset.ofHours(2), config.history().get(0).created().getOffset());
        assertTrue(config.history().get(1).emptyLayer());
        assertEquals(List.of("container", "docker_version", "weight"), List.copyOf(config.unknownFields().keySet()));
    }

    @Test
    void config_builtInCode_writesTheMinimalCanonicalForm() {
        ImageConfiguration config = ImageConfiguration.of(Platform.of("linux", "amd64"), ExecutionConfig.empty(),
                RootFs.layers(List.of()), List.of());
        assertEquals("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", write(config));
    }

    @Test
    void config_sameModelTwice_givesTheSameBytesAndDigest() {
        ExecutionConfig exec = ExecutionConfig.builder().env(List.of("B=2", "A=1"))
                .labels(Map.of("z", "1", "a", "2", "m", "3")).exposedPorts(List.of("8080/tcp", "53/udp"))
                .healthcheck(new Healthcheck(List.of("NONE"), null, null, null, null, 0)).build();
        ImageConfiguration first = ImageConfiguration.of(Platform.of("linux", "amd64"), exec,
                RootFs.layers(List.of(Digest.parse(D1))), List.of(new HistoryEntry(null, "RUN a", null, null, false)));
        ImageConfiguration second = ImageConfiguration.of(Platform.of("linux", "amd64"), exec.toBuilder().build(),
                RootFs.layers(List.of(Digest.parse(D1))), List.of(new HistoryEntry(null, "RUN a", null, null, false)));
        assertEquals(first, second);
        assertEquals(Digest.sha256Of(json.write(first)), Digest.sha256Of(json.write(second)));
        String text = write(first);
        assertTrue(text.contains("\"Env\":[\"B=2\",\"A=1\"]"), text);
        assertTrue(text.contains("\"ExposedPorts\":{\"53/udp\":{},\"8080/tcp\":{}}"), text);
        assertTrue(text.contains("\"Labels\":{\"a\":\"2\",\"m\":\"3\",\"z\":\"1\"}"), text);
        assertTrue(text.contains("\"Healthcheck\":{\"Test\":[\"NONE\"]}"), text);
    }

    @Test
    void config_fromDocker_toleratesNullsAndKeepsDockerOnlyFields() throws LayerException {
        String docker = "{\"architecture\":\"amd64\",\"config\":{\"Hostname\":\"\",\"User\":\"\","
                + "\"AttachStdin\":false,\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"],\"Image\":\"sha256:abc\","
                + "\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},"
                + "\"container\":\"0123\",\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) CMD [\\\"sh\\\"]\"]},"
                + "\"created\":\"2023-01-01T00:00:00.000000001Z\",\"docker_version\":\"20.10.23\","
                + "\"history\":[{\"created\":\"2023-01-01T00:00:00Z\",\"created_by\":\"/bin/sh -c #(nop) ADD file\"}],"
                + "\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D1 + "\"]}}";
        ImageConfiguration config = read(docker, ImageConfiguration.class);
        assertEquals(List.of("sh"), config.config().cmd());
        assertTrue(config.config().entrypoint().isEmpty());
        assertTrue(config.config().onBuild().isEmpty());
        assertEquals(List.of("AttachStdin", "Hostname", "Image"),
                List.copyOf(config.config().unknownFields().keySet()));
        assertEquals(List.of("container", "container_config", "docker_version"),
                List.copyOf(config.unknownFields().keySet()));
        String rewritten = write(config);
        assertTrue(rewritten.startsWith("{\"created\":\"2023-01-01T00:00:00.000000001Z\",\"architecture\":\"amd64\","
                + "\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"],\"AttachStdin\":false,"), rewritten);
        ImageConfiguration child = config.withoutUnknownFields();
        assertTrue(child.unknownFields().isEmpty());
        assertTrue(child.config().unknownFields().isEmpty());
        assertFalse(write(child).contains("Hostname"));
    }

    @Test
    void config_withBadDiffId_isReportedAsLayerException() {
        String bad = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"sha256:nothex\"]}}";
        LayerException e = assertThrows(LayerException.class, () -> read(bad, ImageConfiguration.class));
        assertTrue(e.getMessage().contains("sha256:nothex"), e.getMessage());
    }

    @Test
    void manifest_oci_writesSpecFieldOrder() throws LayerException {
        ImageManifest manifest = ImageManifest.oci(
                Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(D1), 123),
                List.of(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.parse(D2), 456)
                        .withAnnotation("z", "1").withAnnotation("a", "2")));
        String expected = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + D1 + "\","
                + "\"size\":123},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"" + D2 + "\",\"size\":456,\"annotations\":{\"a\":\"2\",\"z\":\"1\"}}]}";
        assertEquals(expected, write(manifest));
        assertEquals(manifest, read(expected, ImageManifest.class));
    }

    @Test
    void manifest_emptyLayerList_isStillWritten() {
        ImageManifest manifest = ImageManifest.oci(Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(D1), 2),
                List.of());
        assertTrue(write(manifest).endsWith(",\"layers\":[]}"), write(manifest));
    }

    @Test
    void manifest_docker_isReadAndConvertsToOci() throws LayerException {
        String docker = "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"" + MediaTypes.DOCKER_MANIFEST + "\",\n"
                + "   \"config\": {\"mediaType\": \"" + MediaTypes.DOCKER_CONFIG + "\", \"size\": 1469,"
                + " \"digest\": \"" + D1 + "\"},\n   \"layers\": [{\"mediaType\": \"" + MediaTypes.DOCKER_LAYER_GZIP
                + "\", \"size\": 2807, \"digest\": \"" + D2 + "\"}, {\"mediaType\": \""
                + MediaTypes.DOCKER_FOREIGN_LAYER_GZIP + "\", \"size\": 9, \"digest\": \"" + D3 + "\","
                + " \"urls\": [\"https://example.com/layer\"]}]\n}";
        ImageManifest manifest = read(docker, ImageManifest.class);
        assertTrue(manifest.isDocker());
        assertEquals(1469, manifest.config().size());
        assertEquals(List.of("https://example.com/layer"), manifest.layers().get(1).urls());
        ImageManifest oci = manifest.toOci();
        assertEquals(MediaTypes.OCI_MANIFEST, oci.mediaType());
        assertEquals(MediaTypes.OCI_CONFIG, oci.config().mediaType());
        assertEquals(MediaTypes.OCI_LAYER_GZIP, oci.layers().get(0).mediaType());
        assertEquals(MediaTypes.OCI_FOREIGN_LAYER_GZIP, oci.layers().get(1).mediaType());
        assertEquals(Digest.parse(D2), oci.layers().get(0).digest());
    }

    @Test
    void manifest_oci_convertsToDockerAndBack() throws LayerException {
        ImageManifest oci = ImageManifest.oci(Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(D1), 1),
                List.of(Descriptor.of(MediaTypes.OCI_LAYER_ZSTD, Digest.parse(D2), 2)));
        ImageManifest docker = oci.toDocker();
        assertEquals(MediaTypes.DOCKER_MANIFEST, docker.mediaType());
        assertEquals(MediaTypes.DOCKER_CONFIG, docker.config().mediaType());
        assertEquals(MediaTypes.DOCKER_LAYER_ZSTD, docker.layers().get(0).mediaType());
        assertEquals(oci, docker.toOci());
    }

    @Test
    void manifest_withDockerTypes_keepsTheManifestsAnnotations_dropsTheLayers_andLeavesUnknownTypes() {
        // BuildKit's writer without oci-mediatypes: Docker's manifest, config and layer types, no layer annotations
        // (RemoveInternalLayerAnnotations), the manifest's own annotations kept; a type Docker lacks stays.
        ImageManifest oci = new ImageManifest(2, MediaTypes.OCI_MANIFEST, null,
                Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(D1), 1),
                List.of(Descriptor.of(MediaTypes.OCI_LAYER_TAR, Digest.parse(D2), 2).withAnnotation("a", "b"),
                        Descriptor.of(MediaTypes.OCI_FOREIGN_LAYER_ZSTD, Digest.parse(D2), 2)),
                null, new java.util.TreeMap<>(java.util.Map.of("k", "v")), null);
        ImageManifest docker = oci.withDockerTypes();
        assertEquals(MediaTypes.DOCKER_MANIFEST, docker.mediaType());
        assertEquals(MediaTypes.DOCKER_CONFIG, docker.config().mediaType());
        assertEquals(Descriptor.of(MediaTypes.DOCKER_LAYER_TAR, Digest.parse(D2), 2), docker.layers().get(0));
        assertEquals(MediaTypes.OCI_FOREIGN_LAYER_ZSTD, docker.layers().get(1).mediaType());
        assertEquals(java.util.Map.of("k", "v"), docker.annotations());
        assertEquals(docker, docker.withDockerTypes(), "idempotent");
    }

    @Test
    void manifest_withDockerTypes_keepsAForeignLayersUrls_andOnlyImagesHaveADockerForm() {
        Descriptor foreign = new Descriptor(MediaTypes.OCI_FOREIGN_LAYER_GZIP, Digest.parse(D2), 2,
                List.of("https://example.com/layer"), null, null, null, null);
        ImageManifest oci = new ImageManifest(2, MediaTypes.OCI_MANIFEST, null,
                Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(D1), 1), List.of(foreign), null, null, null);
        assertEquals(List.of("https://example.com/layer"), oci.withDockerTypes().layers().get(0).urls());
        assertTrue(oci.hasDockerForm());
        assertFalse(new ImageManifest(2, MediaTypes.OCI_MANIFEST, "application/vnd.example+json",
                Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(D1), 1), List.of(), null, null, null)
                .hasDockerForm(), "an artifact");
        assertFalse(new ImageManifest(2, MediaTypes.OCI_MANIFEST, null,
                Descriptor.of(MediaTypes.OCI_CONFIG, Digest.parse(D1), 1), List.of(),
                Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.parse(D2), 2), null, null).hasDockerForm(),
                "a manifest with a subject");
        assertFalse(ImageManifest.oci(Descriptor.of("application/vnd.example.config+json", Digest.parse(D1), 1),
                List.of()).hasDockerForm(), "another config");
    }

    @Test
    void manifest_withATypeDockerCannotExpress_refusesToConvert() {
        ImageManifest oci = ImageManifest.oci(Descriptor.of("application/vnd.example.config+json", Digest.parse(D1),
                1), List.of());
        LayerException e = assertThrows(LayerException.class, oci::toDocker);
        assertTrue(e.getMessage().contains("OCI format instead"), e.getMessage());
    }

    @Test
    void manifest_schemaVersion1_isRejectedWithAHint() {
        LayerException e = assertThrows(LayerException.class,
                () -> read("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", ImageManifest.class));
        assertTrue(e.getMessage().contains("only 2 is supported"), e.getMessage());
    }

    @Test
    void manifest_whoseMediaTypeIsAnIndex_isRejected() {
        assertThrows(LayerException.class, () -> read("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}", ImageManifest.class));
    }

    @Test
    void index_dockerManifestList_isReadWithItsPlatforms() throws LayerException {
        String list = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST + "\","
                + "\"manifests\":[{\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"size\":528,"
                + "\"digest\":\"" + D1 + "\",\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\","
                + "\"variant\":\"v7\",\"features\":[\"sse4\"]}}]}";
        ImageIndex index = read(list, ImageIndex.class);
        assertEquals(new Platform("arm", "linux", null, null, "v7"), index.manifests().get(0).platform());
        assertEquals("linux/arm/v7", index.manifests().get(0).platform().toString());
    }

    @Test
    void index_oci_roundTripsByteIdenticalWithUnknownFields() throws LayerException {
        String text = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + D1 + "\",\"size\":7,"
                + "\"annotations\":{\"org.opencontainers.image.ref.name\":\"app:1\"},"
                + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}],"
                + "\"annotations\":{\"k\":\"v\"},\"x-extra\":{\"b\":[1,2],\"a\":null}}";
        ImageIndex index = read(text, ImageIndex.class);
        assertEquals("app:1", index.manifests().get(0).annotations().get(Descriptor.REF_NAME_ANNOTATION));
        assertEquals(text, write(index));
    }

    @Test
    void descriptor_withNegativeSizeOrNoDigest_isRejected() {
        assertThrows(LayerException.class, () -> read("{\"mediaType\":\"x\",\"digest\":\"" + D1 + "\",\"size\":-1}",
                Descriptor.class));
        assertThrows(LayerException.class, () -> read("{\"mediaType\":\"x\",\"size\":1}", Descriptor.class));
    }

    private <T> T read(String text, Class<T> type) throws LayerException {
        return json.read(text.getBytes(StandardCharsets.UTF_8), type, "test document");
    }

    private String write(Object value) {
        return new String(json.write(value), StandardCharsets.UTF_8);
    }
}
