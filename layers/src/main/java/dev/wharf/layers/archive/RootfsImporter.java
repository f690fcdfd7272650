package dev.wharf.layers.archive;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.RootFs;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.LayerBlobSink;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarReader;
import dev.wharf.layers.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * Makes a one-layer image from a root filesystem tarball ({@code wharf import FILE NAME[:TAG]}), as
 * {@code docker import} does, but deterministically.
 *
 * <p>The tarball (plain, gzip or zstd, recognised by content) is not stored as is: it is read with wharf's strict
 * {@link TarReader} and rewritten by the rules of {@link dev.wharf.layers.layer.LayerWriter}, so the layer depends
 * only on the files, not on the tool that packed them:
 * <ul>
 *   <li>names are cleaned ({@code ./} and leading {@code /} dropped, the root entry omitted; {@code ..} is
 *       refused) and entries in the layer writer's walk order ({@link
 *       dev.wharf.layers.layer.LayerWriter#walkOrder});</li>
 *   <li>of several entries with one name the last wins, as when extracting;</li>
 *   <li>a set of hard links is stored once, at the first of its names in that order, and the others link to it;</li>
 *   <li>headers keep mode, owner, mtime (whole seconds), link targets, device numbers and xattrs; user and group
 *       names, access and change times and PAX global headers are dropped.</li>
 * </ul>
 * So {@code tar -C dir -c .} imported here gives the same layer as {@code LayerWriter.writeTree(dir)}. Content is
 * spooled to one temporary file in the store's {@code ingest/} directory while the entries are sorted.
 *
 * <p>The config declares the options' platform, {@code rootfs.diff_ids} of the one layer and one history entry.
 * Immutable and thread-safe.
 */
public final class RootfsImporter {
    private final LocalStore store;
    private final Executor executor;

    /**
     * Makes an importer into {@code store}.
     *
     * @param executor runs parallel gzip; owned by the caller
     */
    public RootfsImporter(LocalStore store, Executor executor) {
        this.store = Objects.requireNonNull(store, "store");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Imports {@code tarball} as a one-layer image named {@code name}.
     *
     * @throws LayerException if the file is missing, not a (compressed) tar, truncated, has an entry escaping the
     *     root or a hard link to a missing entry
     */
    public ImportedImage importRootfs(Path tarball, ImageName name, RootfsImportOptions options)
            throws LayerException {
        Objects.requireNonNull(name, "name");
        Path spool = null;
        try {
            spool = Files.createTempFile(store.blobs().layout().ingestDir(), "rootfs-", ".spool");
            LayerBlob layer;
            try (FileChannel channel = FileChannel.open(spool, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                List<Spooled> entries = read(tarball, channel);
                try (LayerBlobSink sink = LayerBlobSink.open(store.blobs(), options.compression(), executor)) {
                    write(entries, channel, sink);
                    layer = sink.finish();
                }
            }
            String comment = options.comment() != null ? options.comment()
                    : "imported from " + tarball.getFileName();
            ImageConfiguration config = ImageConfiguration.of(options.platform(), ExecutionConfig.empty(),
                    RootFs.layers(List.of(layer.diffId())),
                    List.of(new HistoryEntry(options.created(), null, null, comment, false)))
                    .withCreated(options.created());
            Descriptor configDescriptor = store.writer().writeConfig(config);
            Descriptor manifest = store.writer().writeManifest(
                    ImageManifest.oci(configDescriptor, List.of(layer.descriptor())));
            store.images().tag(name, manifest);
            return new ImportedImage(manifest, configDescriptor.digest(), List.of(name));
        } catch (LayerException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new LayerException("cannot import " + tarball + ": no such file", e);
        } catch (IOException e) {
            throw new LayerException("cannot import " + tarball + ": " + e.getMessage(), e);
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException ignored) {
                    // The store's ingest sweeper removes it later.
                }
            }
        }
    }

    /** An entry with its cleaned name and, for regular files, where its content is in the spool file. */
    private record Spooled(String name, TarEntry entry, long offset) {
    }

    private static List<Spooled> read(Path tarball, FileChannel spool) throws IOException {
        TreeMap<byte[], Spooled> byName = new TreeMap<>(LayerWriter::walkOrder);
        String what = "root filesystem " + tarball;
        try (InputStream in = Decompressors.open(Files.newInputStream(tarball))) {
            TarReader tar = new TarReader(in);
            Optional<TarEntry> next;
            byte[] buffer = new byte[64 * 1024];
            while ((next = tar.next()).isPresent()) {
                TarEntry entry = next.get();
                String name = cleanName(entry.name(), what);
                if (name.isEmpty()) {
                    continue;
                }
                long offset = spool.position();
                if (entry.type() == TarEntryType.REGULAR) {
                    InputStream content = tar.content();
                    int n;
                    while ((n = content.read(buffer)) >= 0) {
                        ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                        while (b.hasRemaining()) {
                            spool.write(b);
                        }
                    }
                }
                TarEntry cleaned = entry.withName(name);
                if (entry.type() == TarEntryType.HARDLINK) {
                    cleaned = withLink(cleaned, cleanName(entry.linkName(), what + ", hard link " + name));
                }
                byName.put(name.getBytes(StandardCharsets.UTF_8), new Spooled(name, cleaned, offset));
            }
        } catch (LayerException e) {
            throw new LayerException(what + ": " + e.getMessage(), e);
        }
        return hardLinksFirstInOrder(new ArrayList<>(byName.values()), what);
    }

    /**
     * Makes every hard-link set's first name (in sorted order) the one holding the file, the others links to it,
     * as {@code LayerWriter} writes links; chains of links are resolved to the file.
     */
    private static List<Spooled> hardLinksFirstInOrder(List<Spooled> sorted, String what) throws LayerException {
        Map<String, Spooled> byName = new HashMap<>();
        for (Spooled s : sorted) {
            byName.put(s.name(), s);
        }
        Map<String, String> firstOfFile = new HashMap<>();
        List<Spooled> out = new ArrayList<>(sorted.size());
        for (Spooled s : sorted) {
            if (s.entry().type() != TarEntryType.HARDLINK) {
                out.add(s);
                continue;
            }
            Spooled file = s;
            for (int hops = 0; file.entry().type() == TarEntryType.HARDLINK; hops++) {
                Spooled target = byName.get(file.entry().linkName());
                if (target == null || hops > byName.size()) {
                    throw new LayerException(what + ": the hard link " + s.name() + " points to "
                            + file.entry().linkName() + ", which is not in the archive (or is a loop)");
                }
                file = target;
            }
            if (file.entry().type() == TarEntryType.DIRECTORY) {
                throw new LayerException(what + ": the hard link " + s.name() + " points to a directory");
            }
            Spooled resolved = file;
            String holder = firstOfFile.computeIfAbsent(resolved.name(),
                    k -> compare(s.name(), k) < 0 ? s.name() : k);
            if (holder.equals(s.name())) {
                // This link sorts before the file: it takes the file's place and the file becomes a link.
                out.add(new Spooled(s.name(), resolved.entry().withName(s.name()), resolved.offset()));
            } else {
                out.add(new Spooled(s.name(), withLink(asLink(resolved.entry(), s.name()), holder), -1));
            }
        }
        // Files whose first link sorted before them are now links to that name.
        List<Spooled> result = new ArrayList<>(out.size());
        for (Spooled s : out) {
            String holder = firstOfFile.get(s.name());
            if (s.entry().type() != TarEntryType.HARDLINK && holder != null && !holder.equals(s.name())
                    && byName.get(s.name()).entry().type() != TarEntryType.HARDLINK) {
                result.add(new Spooled(s.name(), withLink(asLink(s.entry(), s.name()), holder), -1));
            } else {
                result.add(s);
            }
        }
        return result;
    }

    private static int compare(String a, String b) {
        return LayerWriter.walkOrder(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static TarEntry asLink(TarEntry file, String name) {
        return new TarEntry(name, TarEntryType.HARDLINK, file.mode(), file.uid(), file.gid(), 0, file.mtime(), "",
                0, 0, file.xattrs());
    }

    private static TarEntry withLink(TarEntry e, String link) {
        return new TarEntry(e.name(), e.type(), e.mode(), e.uid(), e.gid(), e.size(), e.mtime(), link, e.devMajor(),
                e.devMinor(), e.xattrs());
    }

    private static void write(List<Spooled> entries, FileChannel spool, OutputStream out) throws IOException {
        TarWriter tar = new TarWriter(out);
        byte[] buffer = new byte[64 * 1024];
        for (Spooled s : entries) {
            tar.putEntry(s.entry());
            if (s.entry().type() != TarEntryType.REGULAR) {
                continue;
            }
            long position = s.offset();
            long left = s.entry().size();
            while (left > 0) {
                ByteBuffer b = ByteBuffer.wrap(buffer, 0, (int) Math.min(buffer.length, left));
                int n = spool.read(b, position);
                if (n < 0) {
                    throw new IOException("spool file ended early");
                }
                tar.write(buffer, 0, n);
                position += n;
                left -= n;
            }
        }
        tar.finish();
    }

    /** Cleans a rootfs entry name; a leading {@code /} is dropped as GNU tar does on extraction. */
    private static String cleanName(String name, String what) throws LayerException {
        int start = 0;
        while (start < name.length() && name.charAt(start) == '/') {
            start++;
        }
        return EntryNames.clean(name.substring(start), what);
    }
}
