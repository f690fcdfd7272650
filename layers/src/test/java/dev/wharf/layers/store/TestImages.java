package dev.wharf.layers.store;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.RootFs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Builds tiny but real images in a store for tests: gzip tar layers holding one file each (a minimal ustar writer,
 * since the layer writer is not part of this module yet), a config whose diff IDs match, and an OCI manifest.
 * Public for the registry tests, which push and pull such images.
 */
public final class TestImages {
    private TestImages() {
    }

    /** What was written: the manifest descriptor and every blob digest of the image. */
    public record Written(Descriptor manifest, Descriptor config, List<Descriptor> layers) {
        public List<Digest> allDigests() {
            List<Digest> all = new ArrayList<>();
            all.add(manifest.digest());
            all.add(config.digest());
            layers.forEach(l -> all.add(l.digest()));
            return all;
        }
    }

    /** Writes a linux/amd64 image with one layer per file name, each file containing its own name. */
    public static Written write(LocalStore store, String... fileNames) throws IOException {
        return write(store, Platform.of("linux", "amd64"), fileNames);
    }

    /** Writes an image for the platform with one layer per file name, each file containing its own name. */
    public static Written write(LocalStore store, Platform platform, String... fileNames) throws IOException {
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        List<HistoryEntry> history = new ArrayList<>();
        for (String fileName : fileNames) {
            byte[] tar = tar(fileName, fileName.getBytes(StandardCharsets.UTF_8));
            byte[] gzip = gzip(tar);
            BlobInfo info = store.blobs().put(gzip);
            layers.add(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, info.digest(), info.size()));
            diffIds.add(Digest.sha256Of(tar));
            history.add(new HistoryEntry(null, "COPY " + fileName + " /", null, null, false));
        }
        ImageConfiguration config = ImageConfiguration.of(platform,
                ExecutionConfig.builder().env(List.of("PATH=/usr/bin:/bin")).cmd(List.of("/" + fileNames[0]))
                        .labels(Map.of("test", "wharf")).build(),
                RootFs.layers(diffIds), history);
        Descriptor configDescriptor = store.writer().writeConfig(config);
        Descriptor manifest = store.writer().writeManifest(ImageManifest.oci(configDescriptor, layers));
        return new Written(manifest, configDescriptor, layers);
    }

    /** A POSIX ustar archive with one regular file, mode 0644, uid/gid 0, mtime 0. */
    public static byte[] tar(String name, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", content.length));
        put(header, 136, "00000000000");
        header[156] = '0';
        put(header, 257, "ustar");
        header[262] = 0;
        put(header, 263, "00");
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xFF;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        header[155] = ' ';
        int padded = (content.length + 511) / 512 * 512;
        byte[] out = new byte[512 + padded + 1024];
        System.arraycopy(header, 0, out, 0, 512);
        System.arraycopy(content, 0, out, 512, content.length);
        return out;
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
