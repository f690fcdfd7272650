package dev.wharf.layers.archive;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.testing.FuzzOutcomes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports seeded random damage of a small docker-archive: its manifest.json and config mangled token by token (the
 * config renamed after its new digest, so the damage reaches the config reader), and the archive's bytes cut or
 * flipped. Each import either succeeds or fails with a {@link LayerException}; nothing else escapes, and nothing is
 * written beside the store. Input {@code i} comes from seed {@code base + i}; {@code -Dwharf.fuzz.archive.iterations=N}
 * (default 400) and {@code -Dwharf.fuzz.seed=S} tune it.
 */
class ArchiveImportFuzzTest {
    @TempDir
    Path dir;

    private static final String[] JSON_TOKENS = {"null", "[]", "{}", "\"\"", "1e400", "-1", "true", "\"../x\"",
        "\"/etc/passwd\"", "\"sha256:zz\"", "[null]", "{\"a\":", "[".repeat(3000), "\"\\ud800\"", "\"\u0000\"", ",",
        ":", "\"", "99999999999999999999", "\"Bad:Tag\"", "\"a:b:c\"", "\"old:1\""};

    @Test
    void damagedDockerArchivesImportOrFailWithALayerException() throws Exception {
        int iterations = Integer.getInteger("wharf.fuzz.archive.iterations", 400);
        long base = Long.getLong("wharf.fuzz.seed", 0xA7CL);
        byte[] layer = TestTar.layerTar();
        String diffId = Digest.sha256Of(layer).toString();
        FuzzOutcomes outcomes = new FuzzOutcomes(LayerException.class);
        for (int i = 0; i < iterations; i++) {
            long seed = base + i;
            Random rnd = new Random(seed);
            Path work = Files.createDirectory(dir.resolve("w" + i));
            Path archive = work.resolve("a.tar");
            String config = String.format(TestTar.CONFIG, diffId);
            String manifest;
            int kind = rnd.nextInt(3);
            if (kind == 1) {
                config = mutateJson(config, rnd);
            }
            byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
            String configName = Digest.sha256Of(configBytes).hex() + ".json";
            manifest = "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"old:1\"],"
                    + "\"Layers\":[\"0123abcd/layer.tar\"]}]";
            if (kind == 0) {
                manifest = mutateJson(manifest, rnd);
            }
            new TestTar().file("0123abcd/layer.tar", layer).file(configName, configBytes)
                    .file("manifest.json", manifest).writeTo(archive);
            if (kind == 2) {
                byte[] bytes = Files.readAllBytes(archive);
                if (rnd.nextBoolean()) {
                    bytes = Arrays.copyOf(bytes, rnd.nextInt(bytes.length));
                } else {
                    for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
                        bytes[rnd.nextInt(bytes.length)] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                Files.write(archive, bytes);
            }
            String shownManifest = manifest;
            String shownConfig = config;
            outcomes.attempt(seed, () -> "manifest " + shownManifest + "\n  config " + shownConfig,
                    () -> ArchiveImporter.into(LocalStore.open(work.resolve("store"))).importFrom(archive));
            try (Stream<Path> left = Files.list(work)) {
                List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
                assertTrue(List.of("a.tar", "store").containsAll(names), "seed " + seed + " wrote " + names);
            }
        }
        System.out.println("archive import fuzz: " + iterations + " inputs (seed " + base + "), " + outcomes);
        outcomes.assertOnlyExpectedOutcomes();
    }

    private static String mutateJson(String json, Random rnd) {
        StringBuilder s = new StringBuilder(json);
        for (int r = 1 + rnd.nextInt(3); r > 0; r--) {
            int pos = rnd.nextInt(s.length() + 1);
            switch (rnd.nextInt(4)) {
                case 0 -> s.setLength(pos);
                case 1 -> s.delete(pos, Math.min(s.length(), pos + 1 + rnd.nextInt(12)));
                case 2 -> { // replace a string or value after a colon
                    int colon = s.indexOf(":", pos);
                    if (colon >= 0) {
                        int end = colon + 1;
                        while (end < s.length() && ",}]".indexOf(s.charAt(end)) < 0) {
                            end++;
                        }
                        s.replace(colon + 1, end, JSON_TOKENS[rnd.nextInt(JSON_TOKENS.length)]);
                    }
                }
                default -> s.insert(pos, JSON_TOKENS[rnd.nextInt(JSON_TOKENS.length)]);
            }
        }
        return s.toString();
    }
}
