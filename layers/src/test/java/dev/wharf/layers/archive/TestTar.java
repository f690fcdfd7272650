package dev.wharf.layers.archive;

import dev.wharf.layers.Digest;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tar assembled entry by entry, for archives no tool would write (hostile or hand-made layouts), and small
 * docker-archive fixtures. The entry lists are open to tests that tamper with them.
 */
final class TestTar {
    /** An image config with one diff ID ({@code %s}). */
    static final String CONFIG = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}";

    final List<TarEntry> entries = new ArrayList<>();
    final List<byte[]> contents = new ArrayList<>();

    TestTar file(String name, byte[] content) {
        entries.add(new TarEntry(name, TarEntryType.REGULAR, 0644, 0, 0, content.length, 0, "", 0, 0, Map.of()));
        contents.add(content);
        return this;
    }

    TestTar file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    TestTar link(String name, TarEntryType type, String target) {
        entries.add(new TarEntry(name, type, 0777, 0, 0, 0, 0, target, 0, 0, Map.of()));
        contents.add(new byte[0]);
        return this;
    }

    Path writeTo(Path file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(out);
        for (int i = 0; i < entries.size(); i++) {
            tar.putEntry(entries.get(i));
            tar.write(contents.get(i), 0, contents.get(i).length);
        }
        tar.finish();
        Files.write(file, out.toByteArray());
        return file;
    }

    /** A layer tar with one file, {@code hello.txt}. */
    static byte[] layerTar() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(out);
        byte[] content = "hello\n".getBytes(StandardCharsets.UTF_8);
        tar.putEntry(new TarEntry("hello.txt", TarEntryType.REGULAR, 0644, 0, 0, content.length, 0, "", 0, 0,
                Map.of()));
        tar.write(content, 0, content.length);
        tar.finish();
        return out.toByteArray();
    }

    /**
     * A docker save archive in the layout of Docker before 25 ({@code <id>/layer.tar}, {@code <hex>.json},
     * {@code repositories}), tagged {@code old:1}; entry 2 is the layer, entry 3 the config.
     */
    static TestTar legacyArchive(byte[] layer, String diffId) {
        byte[] config = String.format(CONFIG, diffId).getBytes(StandardCharsets.UTF_8);
        String configName = Digest.sha256Of(config).hex() + ".json";
        return new TestTar()
                .file("0123abcd/VERSION", "1.0")
                .file("0123abcd/json", "{}")
                .file("0123abcd/layer.tar", layer)
                .file(configName, config)
                .file("manifest.json", "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"old:1\"],"
                        + "\"Layers\":[\"0123abcd/layer.tar\"]}]")
                .file("repositories", "{\"old\":{\"1\":\"0123abcd\"}}");
    }
}
