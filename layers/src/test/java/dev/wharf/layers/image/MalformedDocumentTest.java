package dev.wharf.layers.image;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Bad input must give a {@link LayerException}, never another exception (NPE, ClassCast, StackOverflow, Jackson
 * runtime exceptions): documents come from registries and archives, so they are hostile.
 */
class MalformedDocumentTest {
    private static final String D = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private static final String CONFIG = "{\"created\":\"2024-05-06T07:08:09Z\",\"architecture\":\"amd64\","
            + "\"os\":\"linux\",\"config\":{\"User\":\"1\",\"ExposedPorts\":{\"80/tcp\":{}},\"Env\":[\"A=1\"],"
            + "\"Healthcheck\":{\"Test\":[\"NONE\"],\"Interval\":1,\"Retries\":2},\"Labels\":{\"a\":\"b\"}},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D + "\"]},"
            + "\"history\":[{\"created\":\"2024-05-06T07:08:09Z\",\"empty_layer\":true}]}";
    private static final String MANIFEST = "{\"schemaVersion\":2,\"mediaType\":"
            + "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"x\",\"digest\":\"" + D
            + "\",\"size\":1},\"layers\":[{\"mediaType\":\"y\",\"digest\":\"" + D + "\",\"size\":2,"
            + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}],\"annotations\":{\"k\":\"v\"}}";
    private static final String INDEX = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"" + D
            + "\",\"size\":3,\"urls\":[\"u\"]}]}";

    private final CanonicalJson json = CanonicalJson.create();

    @TestFactory
    Stream<DynamicTest> handPickedMalformedDocuments_areLayerExceptions() {
        List<String> configs = List.of("", "{", "[]", "\"text\"", "1", "true",
                "{\"created\":5}", "{\"created\":\"not a time\"}", "{\"config\":[]}", "{\"config\":{\"Env\":\"A=1\"}}",
                "{\"config\":{\"Env\":[1,[]]}}", "{\"config\":{\"ExposedPorts\":[\"80\"]}}",
                "{\"config\":{\"Labels\":{\"a\":{}}}}", "{\"config\":{\"Healthcheck\":{\"Interval\":\"30s\"}}}",
                "{\"config\":{\"Healthcheck\":{\"Retries\":-1}}}", "{\"rootfs\":{\"diff_ids\":[null]}}",
                "{\"rootfs\":{\"diff_ids\":\"sha256:x\"}}", "{\"history\":[null]}", "{\"history\":{}}",
                "{\"architecture\":{}}", "{\"architecture\":1}", "{\"config\":{\"Env\":[1]}}",
                "{\"config\":{\"User\":true}}", "{\"config\":{\"ArgsEscaped\":\"true\"}}",
                "{\"history\":[{\"empty_layer\":1}]}", "[".repeat(5000), "{\"a\":".repeat(5000));
        List<String> manifests = List.of("{}", "{\"schemaVersion\":2}", "{\"schemaVersion\":\"2\",\"config\":{}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"size\":1e400}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"size\":99999999999999999999999}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"size\":-5}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\"},\"layers\":[null]}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\"},\"layers\":{}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"platform\":[]}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"md5:abc\"}}");
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : configs) {
            tests.add(DynamicTest.dynamicTest("config " + abbreviate(c), () -> expectLayerException(c,
                    ImageConfiguration.class)));
        }
        for (String m : manifests) {
            tests.add(DynamicTest.dynamicTest("manifest " + abbreviate(m), () -> expectLayerException(m,
                    ImageManifest.class)));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> randomlyDamagedDocuments_parseOrGiveLayerException() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Class<?> type : List.of(ImageConfiguration.class, ImageManifest.class, ImageIndex.class,
                Descriptor.class)) {
            String seed = type == ImageConfiguration.class ? CONFIG : type == ImageManifest.class ? MANIFEST
                    : type == ImageIndex.class ? INDEX : MANIFEST.substring(MANIFEST.indexOf("{\"mediaType\":\"x\""),
                            MANIFEST.indexOf("},\"layers\"") + 1);
            tests.add(DynamicTest.dynamicTest(type.getSimpleName() + ": 3000 mutations", () -> {
                json.read(seed.getBytes(StandardCharsets.UTF_8), type, "seed");
                Random random = new Random(type.getSimpleName().hashCode());
                for (int i = 0; i < 3000; i++) {
                    byte[] damaged = mutate(seed.getBytes(StandardCharsets.UTF_8), random);
                    try {
                        json.read(damaged, type, "mutant");
                    } catch (LayerException expected) {
                        // fine: reported properly
                    } catch (RuntimeException | StackOverflowError e) {
                        fail("mutant " + new String(damaged, StandardCharsets.UTF_8) + " threw " + e, e);
                    }
                }
            }));
        }
        return tests.stream();
    }

    /** A document type read by Jackson's data binding (as archive's manifest.json entries are). */
    record BoundEntry(java.util.List<String> layers) {
    }

    /** The message used to drop Jackson's location: a broken manifest.json said what, not where. */
    @Test
    void malformedJson_isReportedWithItsFieldPathAndLineAndColumn() {
        LayerException truncated = assertThrows(LayerException.class, () -> json.read(
                "{\"schemaVersion\":2,\n\"config\":{\"digest\":".getBytes(StandardCharsets.UTF_8), ImageManifest.class,
                "manifest m"));
        assertTrue(truncated.getMessage().contains("line 2 column"), truncated.getMessage());
        LayerException wrongType = assertThrows(LayerException.class, () -> json.read(
                "[{\"layers\":[\"a\"]},\n {\"layers\":\"b\"}]".getBytes(StandardCharsets.UTF_8), BoundEntry[].class,
                "manifest.json"));
        assertTrue(wrongType.getMessage().contains(" at [1].layers, line 2 column"), wrongType.getMessage());
    }

    private void expectLayerException(String text, Class<?> type) {
        assertThrows(LayerException.class, () -> json.read(text.getBytes(StandardCharsets.UTF_8), type, "doc"));
    }

    private static byte[] mutate(byte[] input, Random random) {
        byte[] out = input.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(4)) {
                case 0 -> out[at] = (byte) random.nextInt(256);
                case 1 -> out[at] = (byte) "{}[]\",:0-.e\\n".charAt(random.nextInt(13));
                case 2 -> out = java.util.Arrays.copyOf(out, at);
                default -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) "{}[]\",:0-.e\\nu".charAt(random.nextInt(14));
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
            }
            if (out.length == 0) {
                break;
            }
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
