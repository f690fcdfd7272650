package dev.wharf.builder.differential;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An image read from an OCI image layout directory: its config JSON and, per layer, its entries by normalised path
 * (no leading {@code ./} or {@code /}, no trailing {@code /}). Immutable once read.
 *
 * @param config the image config document
 * @param layers the layers in order, each a map from path to entry in the layer tar's entry order
 * @param mtimes per layer, the mtime (seconds) of every entry but whiteouts, by the same paths
 * @param headers per layer, the raw headers of every entry but whiteouts ({@link RawHeaders}), when asked for
 */
record ImageSnapshot(JsonNode config, List<Map<String, LayerEntry>> layers, List<Map<String, Long>> mtimes,
        List<Map<String, String>> headers) {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final LayerEntry WHITEOUT = new LayerEntry('w', 0, 0, 0, 0, "", "", Map.of(), true);

    ImageSnapshot {
        layers = List.copyOf(layers);
        mtimes = List.copyOf(mtimes);
        headers = List.copyOf(headers);
    }

    /** Reads the first image of the OCI layout at {@code layout}, without raw headers. */
    static ImageSnapshot read(Path layout) throws IOException {
        return read(layout, false);
    }

    /** Reads the first image of the OCI layout at {@code layout}, with the raw headers when {@code headers}. */
    static ImageSnapshot read(Path layout, boolean headers) throws IOException {
        JsonNode index = MAPPER.readTree(layout.resolve("index.json").toFile());
        JsonNode manifest = MAPPER.readTree(blob(layout, index.path("manifests").get(0).path("digest").asText()));
        while (manifest.has("manifests")) {
            manifest = MAPPER.readTree(blob(layout, manifest.path("manifests").get(0).path("digest").asText()));
        }
        JsonNode config = MAPPER.readTree(blob(layout, manifest.path("config").path("digest").asText()));
        List<Map<String, LayerEntry>> layers = new ArrayList<>();
        List<Map<String, Long>> mtimes = new ArrayList<>();
        List<Map<String, String>> raw = new ArrayList<>();
        for (JsonNode layer : manifest.path("layers")) {
            Map<String, Long> times = new TreeMap<>();
            Path blob = layout.resolve("blobs").resolve("sha256")
                    .resolve(layer.path("digest").asText().substring("sha256:".length()));
            layers.add(entries(blob, times));
            mtimes.add(times);
            if (headers) {
                try (InputStream in = Decompressors.open(Files.newInputStream(blob))) {
                    raw.add(RawHeaders.of(in.readAllBytes()));
                }
            }
        }
        return new ImageSnapshot(config, layers, mtimes, raw);
    }

    /** The history entries of the config (an empty list when absent). */
    List<JsonNode> history() {
        List<JsonNode> out = new ArrayList<>();
        config.path("history").forEach(out::add);
        return out;
    }

    private static byte[] blob(Path layout, String digest) throws IOException {
        return Files.readAllBytes(layout.resolve("blobs").resolve("sha256")
                .resolve(digest.substring("sha256:".length())));
    }

    private static Map<String, LayerEntry> entries(Path blob, Map<String, Long> mtimes) throws IOException {
        Map<String, LayerEntry> out = new java.util.LinkedHashMap<>();
        try (InputStream in = Decompressors.open(Files.newInputStream(blob))) {
            TarReader tar = new TarReader(in);
            for (var next = tar.next(); next.isPresent(); next = tar.next()) {
                TarEntry e = next.get();
                String sha = "";
                if (e.type() == TarEntryType.REGULAR) {
                    sha = sha256(tar.content());
                }
                Map<String, String> xattrs = new TreeMap<>();
                e.xattrs().forEach((k, v) -> xattrs.put(k, new String(v, StandardCharsets.UTF_8)));
                String link = e.type() == TarEntryType.HARDLINK ? normalise(e.linkName()) : e.linkName();
                String path = normalise(e.name());
                if (path.substring(path.lastIndexOf('/') + 1).startsWith(".wh.")) {
                    // A whiteout's metadata means nothing (the files are never extracted), and dockerd's overlay2
                    // differ even records overlayfs' shared whiteout inode as hardlinks between them: compare names.
                    out.put(path, WHITEOUT);
                    continue;
                }
                mtimes.put(path, e.mtime());
                out.put(normalise(e.name()), new LayerEntry(e.type().flag(), e.mode(), e.uid(), e.gid(), e.size(),
                        sha, link, xattrs, e.mtime() != 0));
            }
        }
        return out;
    }

    static String normalise(String name) {
        String n = name;
        while (n.startsWith("./") || n.startsWith("/")) {
            n = n.startsWith("./") ? n.substring(2) : n.substring(1);
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n.isEmpty() ? "." : n;
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65536];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                md.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
