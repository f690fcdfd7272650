package dev.wharf.layers.archive;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files of an archive being written, by path, and how to write them as a deterministic tar: entries sorted by
 * the bytes of their names, parent directories added, every header with mode 0644 (directories 0755), owner 0:0,
 * mtime 0 and empty user and group names, so equal content gives equal archive bytes.
 *
 * <p>Not thread-safe; one export builds one instance.
 */
final class ArchiveEntries {
    /** Where a file's content comes from. */
    sealed interface Source permits Bytes, Blob, DecompressedBlob {
        long size();
    }

    /** Content held in memory. */
    record Bytes(byte[] content) implements Source {
        @Override
        public long size() {
            return content.length;
        }
    }

    /** A blob copied as stored. */
    record Blob(Digest digest, long size) implements Source {
    }

    /** A compressed blob written decompressed; {@code size} is the decompressed size. */
    record DecompressedBlob(Digest digest, long size) implements Source {
    }

    private final TreeMap<byte[], Map.Entry<String, Source>> files = new TreeMap<>(Arrays::compareUnsigned);

    /** Adds (or replaces) a file. */
    void put(String path, Source source) {
        files.put(path.getBytes(StandardCharsets.UTF_8), Map.entry(path, source));
    }

    /** Adds a small file given as bytes. */
    void put(String path, byte[] content) {
        put(path, new Bytes(content));
    }

    /** Tells whether a file is already there. */
    boolean contains(String path) {
        return files.containsKey(path.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes all files as a tar into {@code out}, which stays open. */
    void writeTar(OutputStream out, BlobProvider blobs) throws IOException {
        TreeMap<byte[], String> entries = new TreeMap<>(Arrays::compareUnsigned);
        for (Map.Entry<String, Source> file : files.values()) {
            String path = file.getKey();
            entries.put(path.getBytes(StandardCharsets.UTF_8), path);
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                String dir = path.substring(0, slash + 1);
                entries.put(dir.getBytes(StandardCharsets.UTF_8), dir);
            }
        }
        TarWriter tar = new TarWriter(out);
        byte[] buffer = new byte[64 * 1024];
        for (String name : entries.values()) {
            if (name.endsWith("/")) {
                tar.putEntry(new TarEntry(name, TarEntryType.DIRECTORY, 0755, 0, 0, 0, 0, "", 0, 0, Map.of()));
                continue;
            }
            Source source = files.get(name.getBytes(StandardCharsets.UTF_8)).getValue();
            tar.putEntry(new TarEntry(name, TarEntryType.REGULAR, 0644, 0, 0, source.size(), 0, "", 0, 0, Map.of()));
            if (source instanceof Bytes b) {
                tar.write(b.content(), 0, b.content().length);
            } else if (source instanceof Blob b) {
                copy(blobs.open(b.digest()), tar, b.size(), name, buffer);
            } else if (source instanceof DecompressedBlob b) {
                copy(Decompressors.open(blobs.open(b.digest())), tar, b.size(), name, buffer);
            }
        }
        tar.finish();
    }

    private static void copy(InputStream source, TarWriter tar, long size, String name, byte[] buffer)
            throws IOException {
        long copied = 0;
        try (InputStream in = source) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (copied + n > size) {
                    throw new LayerException("content of " + name + " is longer than the " + size
                            + " bytes expected; the store changed during the export");
                }
                tar.write(buffer, 0, n);
                copied += n;
            }
        }
        if (copied != size) {
            throw new LayerException("content of " + name + " is " + copied + " bytes, not the " + size
                    + " expected; the store changed during the export");
        }
    }
}
