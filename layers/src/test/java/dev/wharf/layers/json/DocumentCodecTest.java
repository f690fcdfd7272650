package dev.wharf.layers.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.Platform;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.Healthcheck;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.RootFs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The hand-written codecs of the image documents ({@link DocumentReader}, {@link DocumentWriter}) against Jackson's
 * data binding of the annotated records under the same settings ({@link CanonicalJson#reflectiveMapper()}), which
 * they replace: for every document of a corpus (hand-picked edge cases, and thousands of random mutations of
 * realistic documents) both accept it and read equal records that write identical bytes, or both reject it.
 */
class DocumentCodecTest {
    private static final String D = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private static final String E = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private static final String CONFIG = "{\"created\":\"2024-05-06T07:08:09.5+02:00\",\"author\":\"me\","
            + "\"architecture\":\"amd64\",\"os\":\"linux\",\"os.version\":\"10\",\"os.features\":[\"f\"],"
            + "\"variant\":\"v2\",\"config\":{\"User\":\"1\",\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}},"
            + "\"Env\":[\"A=1\",\"B=<&>\"],\"Entrypoint\":[\"/bin/sh\"],\"Cmd\":[\"-c\",\"x\"],\"Volumes\":{\"/v\":{}},"
            + "\"WorkingDir\":\"/w\",\"Labels\":{\"b\":\"\",\"a\":\"\\u2028é\"},\"StopSignal\":\"SIGTERM\","
            + "\"ArgsEscaped\":true,\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":30000000000,"
            + "\"Timeout\":1,\"StartPeriod\":2,\"StartInterval\":3,\"Retries\":2},\"OnBuild\":[\"RUN x\"],"
            + "\"Shell\":[\"/bin/sh\",\"-c\"],\"Hostname\":\"\",\"Tty\":false,\"Zeta\":{\"y\":1,\"x\":[1.50,2e3]}},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D + "\",\"" + E + "\"]},"
            + "\"history\":[{\"created\":\"2024-05-06T07:08:09Z\",\"created_by\":\"COPY a b\",\"author\":\"x\","
            + "\"comment\":\"buildkit.dockerfile.v0\",\"empty_layer\":true},{\"created_by\":\"RUN y\"}],"
            + "\"container_config\":{\"Hostname\":\"h\",\"Cmd\":null},\"docker_version\":\"20.10\","
            + "\"big\":123456789012345678901234567890,\"long\":12345678901,\"neg\":-0.0}";
    private static final String MANIFEST = "{\"schemaVersion\":2,\"mediaType\":"
            + "\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"t\",\"config\":{\"mediaType\":\"x\","
            + "\"digest\":\"" + D + "\",\"size\":1,\"data\":\"e30=\"},\"layers\":[{\"mediaType\":\"y\",\"digest\":\""
            + D + "\",\"size\":2,\"urls\":[\"u\",null],\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\","
            + "\"features\":[\"sse4\"],\"os.features\":[\"w\"]}}],\"subject\":{\"mediaType\":\"s\",\"digest\":\"" + E
            + "\",\"size\":3,\"artifactType\":\"a\"},\"annotations\":{\"k\":\"v\",\"a\":null},\"docker\":true,"
            + "\"zz\":[null,{}]}";
    private static final String INDEX = "{\"schemaVersion\":2,\"mediaType\":"
            + "\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"" + D
            + "\",\"size\":3,\"annotations\":{\"org.opencontainers.image.ref.name\":\"a:latest\"},\"platform\":"
            + "{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\",\"os.version\":\"\"}}],"
            + "\"annotations\":{\"x\":\"y\"},\"other\":\"o\"}";
    private static final String DESCRIPTOR = "{\"mediaType\":\"x\",\"digest\":\"" + D + "\",\"size\":1,"
            + "\"annotations\":{\"k\":\"v\"},\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"extra\":1}";
    private static final String EXECUTION = CONFIG.substring(CONFIG.indexOf("{\"User\""),
            CONFIG.indexOf(",\"rootfs\""));
    private static final String PLATFORM = "{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}";

    private final ObjectMapper reference = CanonicalJson.reflectiveMapper();
    private final CanonicalJson codec = CanonicalJson.create();

    @TestFactory
    Stream<DynamicTest> handPickedDocuments_readAndWriteExactlyAsJacksonDataBinding() {
        List<DynamicTest> tests = new ArrayList<>();
        add(tests, ImageConfiguration.class, CONFIG, "{}", "null", "", " ", "[]", "\"\"", "1", "{} {}", "{}x",
                "{\"architecture\":\"\",\"os\":\"\",\"config\":null,\"rootfs\":null,\"history\":null}",
                "{\"created\":null,\"author\":\"\",\"os.features\":null}", "{\"created\":\"\"}",
                "{\"created\":5}", "{\"created\":true}", "{\"created\":\"2024-01-01T00:00:00.000000000Z\"}",
                "{\"created\":\"2024-01-01T00:00:00-00:00\"}", "{\"created\":\"2024-01-01t00:00:00z\"}",
                "{\"config\":{}}", "{\"config\":\"\"}", "{\"config\":[]}", "{\"config\":{\"Env\":\"A=1\"}}",
                "{\"config\":{\"Env\":[1]}}", "{\"config\":{\"Env\":[null,\"a\"]}}", "{\"config\":{\"Env\":\"\"}}",
                "{\"config\":{\"Env\":null,\"Cmd\":null,\"Labels\":null,\"ExposedPorts\":null}}",
                "{\"config\":{\"Labels\":{\"a\":1}}}", "{\"config\":{\"Labels\":{\"a\":{}}}}",
                "{\"config\":{\"Labels\":[]}}", "{\"config\":{\"Labels\":\"\"}}",
                "{\"config\":{\"ExposedPorts\":[\"80\"]}}", "{\"config\":{\"ExposedPorts\":\"\"}}",
                "{\"config\":{\"ExposedPorts\":{\"80\":null,\"81\":[1,{\"a\":2}]}}}",
                "{\"config\":{\"User\":true}}", "{\"config\":{\"User\":1}}", "{\"config\":{\"User\":1.5}}",
                "{\"config\":{\"User\":{}}}", "{\"config\":{\"User\":[\"a\"]}}",
                "{\"config\":{\"ArgsEscaped\":\"true\"}}", "{\"config\":{\"ArgsEscaped\":\"\"}}",
                "{\"config\":{\"ArgsEscaped\":\"  \"}}", "{\"config\":{\"ArgsEscaped\":1}}",
                "{\"config\":{\"ArgsEscaped\":0}}", "{\"config\":{\"ArgsEscaped\":null}}",
                "{\"config\":{\"ArgsEscaped\":1.0}}", "{\"config\":{\"ArgsEscaped\":{}}}",
                "{\"config\":{\"ArgsEscaped\":false}}", "{\"config\":{\"Healthcheck\":null}}",
                "{\"config\":{\"Healthcheck\":{}}}", "{\"config\":{\"Healthcheck\":{\"Interval\":\"30s\"}}}",
                "{\"config\":{\"Healthcheck\":{\"Interval\":\"\"}}}", "{\"config\":{\"Healthcheck\":{\"Interval\":1.5}}}",
                "{\"config\":{\"Healthcheck\":{\"Interval\":0,\"Retries\":0,\"Test\":[]}}}",
                "{\"config\":{\"Healthcheck\":{\"Interval\":99999999999999999999}}}",
                "{\"config\":{\"Healthcheck\":{\"Interval\":-5}}}",
                "{\"config\":{\"Healthcheck\":{\"Retries\":-1}}}", "{\"config\":{\"Healthcheck\":{\"Retries\":\"\"}}}",
                "{\"config\":{\"Healthcheck\":{\"Retries\":\"3\"}}}", "{\"config\":{\"Healthcheck\":{\"Retries\":3.0}}}",
                "{\"config\":{\"Healthcheck\":{\"Retries\":4294967296}}}", "{\"config\":{\"Healthcheck\":{\"x\":1}}}",
                "{\"config\":{\"Healthcheck\":[]}}", "{\"config\":{\"Healthcheck\":\"\"}}",
                "{\"config\":{\"Shell\":[[]]}}", "{\"config\":{\"OnBuild\":[{}]}}",
                "{\"config\":{\"Unknown\":1e2,\"Other\":1.0E+2,\"Third\":0.10,\"Fourth\":-0,\"Fifth\":1E400}}",
                "{\"config\":{\"dup\":1,\"dup\":2,\"User\":\"a\",\"User\":\"b\"}}",
                "{\"rootfs\":{}}", "{\"rootfs\":{\"type\":1}}", "{\"rootfs\":{\"diff_ids\":[null]}}",
                "{\"rootfs\":{\"diff_ids\":\"sha256:x\"}}", "{\"rootfs\":{\"diff_ids\":[\"sha256:x\"]}}",
                "{\"rootfs\":{\"diff_ids\":[\"\"]}}", "{\"rootfs\":{\"diff_ids\":[1]}}",
                "{\"rootfs\":{\"diff_ids\":null,\"type\":null}}", "{\"rootfs\":{\"diff_ids\":[],\"x\":{}}}",
                "{\"history\":[null]}", "{\"history\":{}}", "{\"history\":[{}]}", "{\"history\":[\"\"]}",
                "{\"history\":[{\"empty_layer\":1}]}", "{\"history\":[{\"empty_layer\":\"\"}]}",
                "{\"history\":[{\"empty_layer\":\"false\"}]}", "{\"history\":[{\"empty_layer\":null}]}",
                "{\"history\":[{\"comment\":\"\",\"created_by\":null,\"x\":[]}]}",
                "{\"architecture\":{}}", "{\"architecture\":1}", "{\"architecture\":null,\"os\":null}",
                "{\"a\":null,\"b\":[],\"c\":{},\"d\":\"\",\"e\":false,\"f\":0,\"g\":{\"z\":1,\"a\":{\"y\":null,\"b\":2}}}",
                "{\"x\":1,\"x\":{\"b\":1,\"a\":2,\"b\":3}}", "{\"y\":{\"b\":1,\"a\":2,\"b\":[3]}}",
                "{\"\\u003c\":\"\\u0000\\ud83d\\ude00\"}",
                "[".repeat(3000), "{\"a\":".repeat(3000), "{\"config\":{\"a\":" + "[".repeat(2000) + "]".repeat(2000)
                        + "}}");
        add(tests, ImageManifest.class, MANIFEST, "{}", "null", "{\"schemaVersion\":2}",
                "{\"schemaVersion\":\"2\",\"config\":{\"digest\":\"" + D + "\"}}",
                "{\"schemaVersion\":\"\",\"config\":{\"digest\":\"" + D + "\"}}",
                "{\"schemaVersion\":2.0,\"config\":{\"digest\":\"" + D + "\"}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\"}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"size\":1e400}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"size\":99999999999999999999999}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"size\":-5}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"size\":\" \"}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"size\":\"5\"}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"size\":null,\"mediaType\":null}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\"},\"layers\":[null]}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\"},\"layers\":{}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\"},\"layers\":[\"\"]}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"platform\":[]}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"platform\":{}}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"urls\":[]}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"data\":\"\",\"artifactType\":\"\"}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"md5:abc\"}}", "{\"schemaVersion\":2,\"config\":{}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":null}}", "{\"schemaVersion\":2,\"config\":{\"digest\":1}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"\"}}", "{\"schemaVersion\":2,\"config\":null}",
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"config\":{\"digest\":\""
                        + D + "\"}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\"},\"annotations\":{\"a\":1}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\"},\"isDocker\":1,\"docker\":{}}",
                "{\"schemaVersion\":3,\"config\":{\"digest\":\"" + D + "\"}}");
        add(tests, ImageIndex.class, INDEX, "{}", "{\"schemaVersion\":2}", "{\"schemaVersion\":2,\"manifests\":null}",
                "{\"schemaVersion\":2,\"manifests\":[]}", "{\"schemaVersion\":2,\"manifests\":[{}]}",
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}",
                "{\"schemaVersion\":2,\"mediaType\":\"\",\"artifactType\":\"\",\"annotations\":{}}",
                "{\"schemaVersion\":2,\"subject\":{\"digest\":\"" + D + "\"},\"subject\":null}");
        add(tests, Descriptor.class, DESCRIPTOR, "{}", "{\"digest\":\"" + D + "\"}",
                "{\"digest\":\"" + D + "\",\"size\":true}", "{\"digest\":\"" + D + "\",\"urls\":\"u\"}",
                "{\"digest\":\"" + D + "\",\"annotations\":{\"a\":null}}", "{\"digest\":\"" + D.toUpperCase() + "\"}",
                "{\"digest\":\"sha512:" + "ab".repeat(64) + "\"}");
        add(tests, ExecutionConfig.class, EXECUTION, "{}", "null", "{\"Cmd\":[\"a\",null],\"Labels\":{\"k\":null}}");
        add(tests, Platform.class, PLATFORM, "{}", "{\"os.features\":[null],\"os.version\":null}", "{\"os\":[]}");
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> randomlyDamagedDocuments_readAndWriteExactlyAsJacksonDataBinding() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] seed : new Object[][] {{ImageConfiguration.class, CONFIG}, {ImageManifest.class, MANIFEST},
                {ImageIndex.class, INDEX}, {Descriptor.class, DESCRIPTOR}, {ExecutionConfig.class, EXECUTION}}) {
            Class<?> type = (Class<?>) seed[0];
            byte[] document = ((String) seed[1]).getBytes(StandardCharsets.UTF_8);
            tests.add(DynamicTest.dynamicTest(type.getSimpleName() + ": 4000 mutations", () -> {
                Random random = new Random(type.getName().hashCode());
                int accepted = 0;
                for (int i = 0; i < 4000; i++) {
                    if (compare(type, mutate(document, random))) {
                        accepted++;
                    }
                }
                // Both outcomes are exercised: a fair share of mutants still reads.
                assertTrue(accepted > 100 && accepted < 3900, "accepted " + accepted + " of 4000");
            }));
        }
        return tests.stream();
    }

    @Test
    void write_givesJacksonsBytesForBuiltValues() throws IOException {
        ObjectNode nested = JsonNodeFactory.instance.objectNode();
        nested.put("z", 1.5d).put("a", new BigDecimal("1.50")).put("m", 12345678901L).putNull("n");
        nested.putArray("arr").add("<&>").add(true).addObject();
        ExecutionConfig config = ExecutionConfig.builder().user("u").env(List.of("A=\u0001\"\\"))
                .exposedPorts(List.of("b", "a")).labels(Map.of("\u2029", "\ud83d\ude00", "a", ""))
                .healthcheck(new Healthcheck(List.of(), Duration.ZERO, Duration.ofSeconds(3), null, null, 0))
                .unknownFields(Map.of("Zed", nested, "Alpha", JsonNodeFactory.instance.textNode("t"))).build();
        ImageConfiguration image = ImageConfiguration.of(Platform.of("linux", "arm64").withVariant("v8"), config,
                RootFs.layers(List.of(Digest.parse(D))), List.of(new HistoryEntry(
                        OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 600, ZoneOffset.ofHours(-3)), "RUN x", null, "c",
                        false))).withCreated(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC))
                .withUnknownField("beta", nested);
        Descriptor descriptor = Descriptor.of("m", Digest.parse(D), 5).withAnnotation("k", "v")
                .withPlatform(Platform.of("linux", "amd64"));
        for (Object value : List.of(config, image, descriptor, descriptor.platform(), ExecutionConfig.empty(),
                ImageManifest.oci(descriptor, List.of(descriptor, descriptor)), ImageIndex.oci(List.of()),
                ImageIndex.oci(List.of(descriptor)))) {
            assertEquals(reference.writeValueAsString(value), new String(codec.write(value), StandardCharsets.UTF_8),
                    value.getClass().getSimpleName());
        }
    }

    private void add(List<DynamicTest> tests, Class<?> type, String... documents) {
        for (String document : documents) {
            String name = document.length() > 70 ? document.substring(0, 70) + "..." : document;
            tests.add(DynamicTest.dynamicTest(type.getSimpleName() + " " + name,
                    () -> compare(type, document.getBytes(StandardCharsets.UTF_8))));
        }
    }

    /** Compares the two readers (and, where they read, the two writers) on one input; returns whether it read. */
    private boolean compare(Class<?> type, byte[] document) throws IOException {
        String text = new String(document, StandardCharsets.UTF_8);
        Object expected;
        try {
            expected = reference.readValue(document, type);
        } catch (IOException | RuntimeException e) {
            expected = null;
        }
        Object actual;
        try {
            actual = codec.read(document, type, "doc");
        } catch (LayerException e) {
            actual = null;
        }
        if (expected == null || actual == null) {
            assertEquals(expected == null, actual == null, () -> "one side failed on " + text);
            return false;
        }
        assertEquals(expected, actual, text);
        assertEquals(reference.writeValueAsString(expected), new String(codec.write(actual), StandardCharsets.UTF_8),
                text);
        return true;
    }

    private static byte[] mutate(byte[] input, Random random) {
        byte[] out = input.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && out.length > 0; e++) {
            int at = random.nextInt(out.length);
            String tokens = "{}[]\",:0-.e\\ntu1 ";
            switch (random.nextInt(5)) {
                case 0 -> out[at] = (byte) random.nextInt(128);
                case 1 -> out[at] = (byte) tokens.charAt(random.nextInt(tokens.length()));
                case 2 -> out = java.util.Arrays.copyOf(out, at);
                case 3 -> {
                    // Replace a quoted string's content with something of another type, to reach the value checks.
                    String s = new String(out, StandardCharsets.UTF_8);
                    int quote = s.indexOf(":\"", at % Math.max(1, s.length()));
                    if (quote >= 0) {
                        int end = s.indexOf('"', quote + 2);
                        String[] values = {"1", "null", "true", "\"\"", "\" \"", "[]", "{}", "1.5", "-1", "[null]"};
                        if (end > 0) {
                            s = s.substring(0, quote + 1) + values[random.nextInt(values.length)] + s.substring(end + 1);
                        }
                    }
                    out = s.getBytes(StandardCharsets.UTF_8);
                }
                default -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) tokens.charAt(random.nextInt(tokens.length()));
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
            }
        }
        return out;
    }

    static {
        // Fail fast on a broken fixture rather than in every comparison.
        try {
            for (String fixture : List.of(CONFIG, MANIFEST, INDEX, DESCRIPTOR, EXECUTION, PLATFORM)) {
                new ObjectMapper().readTree(fixture);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
