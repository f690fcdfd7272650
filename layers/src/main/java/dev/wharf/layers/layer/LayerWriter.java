package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.posix.DeviceNumbers;
import dev.wharf.layers.posix.PosixCallException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.posix.ReadableFile;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;

/**
 * Writes {@link LayerChange}s as an OCI layer tar and stores it, compressed, as a blob; one pass computes the diff
 * ID, the compressed digest and the size ({@link LayerBlobSink}).
 *
 * <p>The tar depends only on the changes' paths, metadata and content, so identical trees give byte-identical
 * layers on any machine:
 * <ul>
 *   <li>entries are in walk order ({@link #walkOrder}): a directory's names sorted by their bytes, each
 *       directory followed at once by its subtree, as Go's {@code filepath.Walk} visits them in BuildKit's differs;
 *       a whiteout stands where the name it deletes would, an opaque marker {@code <dir>/.wh..wh..opq} right after
 *       its directory, before any child;</li>
 *   <li>modification times are truncated to seconds and optionally clamped to {@code SOURCE_DATE_EPOCH}; user and
 *       group names are empty; whiteouts and opaque markers are empty ustar regular files with mode 0, owner 0:0 and
 *       mtime {@code SOURCE_DATE_EPOCH}, or 0 without it. containerd's {@code ChangeWriter} gives whiteouts mode 0
 *       and 0:0 too, in a plain ustar header (Go's tar writer drops the atime and ctime it is given, the format
 *       being unset), dated the time of the diff, or {@code SOURCE_DATE_EPOCH} (its differ's
 *       {@code WithWhiteoutTime}, and BuildKit's {@code rewrite-timestamp} clamps the time of the diff to it);
 *       dockerd 26's overlay2 differ gives them mode 0600 and the whiteout device's mtime, its opaque markers the
 *       directory's permission bits and mtime 0. An applier reads none of that; without the epoch a fixed value
 *       keeps the layer's digest independent of the build's time, with it the entry is what BuildKit writes;</li>
 *   <li>a file with several links is stored once, at its first path in that order, and every later path is a
 *       hard link to it; whiteouts are never hard links, although overlayfs may give them one inode;</li>
 *   <li>xattrs are PAX {@code SCHILY.xattr.*} records, except overlayfs's {@code trusted.overlay.*}.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; each call writes its own layer.
 */
public final class LayerWriter {
    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String OPAQUE_MARKER = ".wh..wh..opq";
    /**
     * Bytes of file content read at once (the sink hands the tar on in chunks of the same size). 256 KiB rather than
     * 64: a 300 MB tree makes ~1,400 trips through the read calls instead of ~5,600, most of them interpreted or in
     * unoptimised code in a fresh JVM (bench/layers.sh), and a piece still fits a core's L2 cache.
     */
    private static final int COPY_BUFFER = 256 * 1024;

    private final BlobStore store;
    private final TreeScanner scanner;
    private final LayerWriterOptions options;
    private final Executor executor;
    /** Whether file content is read through the scanner's binding; false once it turned out unsupported. */
    private volatile boolean nativeReads = true;
    /** Whether tar headers are formatted by the scanner's binding; false once it turned out unsupported. */
    private volatile boolean nativeHeaders = true;
    private static final int TAR_BLOCK = 512;

    /**
     * Creates a writer.
     *
     * @param scanner reads trees for {@link #writeTree} and {@link #writeOverlayUpper}
     * @param executor runs parallel gzip; owned by the caller
     */
    public LayerWriter(BlobStore store, TreeScanner scanner, LayerWriterOptions options, Executor executor) {
        this.store = Objects.requireNonNull(store, "store");
        this.scanner = Objects.requireNonNull(scanner, "scanner");
        this.options = Objects.requireNonNull(options, "options");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Stores the whole tree under {@code root} (not the root itself) as one layer: the layer of
     * {@link #write(List)} of {@link TreeScanner#scanTree}, written while the tree is scanned
     * ({@link #writeStreaming}), so compression starts with the first file instead of after a scan of the whole tree.
     */
    public LayerBlob writeTree(Path root) throws LayerException {
        return writeStreaming(root, false, written -> { });
    }

    /** Stores the changes recorded in an overlayfs upper directory as one layer, written while it is scanned. */
    public LayerBlob writeOverlayUpper(Path upperDir) throws LayerException {
        return writeStreaming(upperDir, true, written -> { });
    }

    /**
     * Stores {@code changes} as one layer, in the blob store given at construction.
     *
     * @throws LayerException if a file cannot be read, changes while being read, or the blob cannot be stored;
     *     nothing is stored then
     */
    public LayerBlob write(List<LayerChange> changes) throws LayerException {
        return write(changes, written -> { });
    }

    /**
     * Stores {@code changes} as one layer like {@link #write(List)}, telling {@code written} how many bytes of the
     * uncompressed tar have gone into compression so far, as they go (for progress bars; called on this thread).
     */
    public LayerBlob write(List<LayerChange> changes, LongConsumer written) throws LayerException {
        return store(out -> writeTar(changes, out), written);
    }

    /** Writes an uncompressed tar into {@code out}. */
    @FunctionalInterface
    private interface TarBody {
        void write(OutputStream out) throws IOException;
    }

    private LayerBlob store(TarBody body, LongConsumer written) throws LayerException {
        try (LayerBlobSink sink = LayerBlobSink.open(store, options.compression(), executor)) {
            // Headers, paddings and small files' content come in writes of a few hundred bytes; the sink gathers
            // them into chunks, which reach the hashers and the compressor (a native call for zstd) at once.
            body.write(new CountingOutputStream(sink, written));
            return sink.finish();
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot write layer: " + e.getMessage(), e);
        }
    }

    /**
     * Stores the whole tree under {@code root} (an overlayfs upper directory when {@code overlay}) as one layer,
     * writing each entry as the scan reaches it: the same bytes as {@link #write(List, LongConsumer)} of
     * {@link TreeScanner#scanTree} or {@link TreeScanner#scanOverlayUpper}, with no list of the tree's entries, so a
     * tree of a million files is written in a small heap.
     */
    public LayerBlob writeStreaming(Path root, boolean overlay, LongConsumer written) throws LayerException {
        return store(out -> writeTarStreaming(root, overlay, out), written);
    }

    /**
     * Writes the uncompressed layer tar of the tree under {@code root} to {@code out} while scanning it. The tree is
     * scanned on a thread of its own ({@link ScanAhead}), a bounded number of entries ahead of this one. The content
     * of the next small files is read ahead on the executor, a window of {@value #READ_AHEAD} entries, while this
     * thread writes the entries before them in order: opening and reading 10,000 small files one after the other
     * left the other cores idle (bench scenario c-one-file-changed). The bytes depend on neither.
     */
    public void writeTarStreaming(Path root, boolean overlay, OutputStream out) throws IOException {
        TarWriter tar = new TarWriter(out, headerFormatter());
        Map<List<Long>, String> firstLinks = new HashMap<>();
        byte[] buffer = new byte[COPY_BUFFER];
        ArrayDeque<Pending> window = new ArrayDeque<>();
        ArrayDeque<byte[]> spare = new ArrayDeque<>();
        ReadGroup filling = null;
        try (ScanAhead scan = ScanAhead.start(scanner, root, overlay)) {
            for (List<LayerChange> changes = scan.next(); changes != null; changes = scan.next()) {
                for (LayerChange change : changes) {
                    if (readsAhead(change)) {
                        if (filling == null || filling.closed()) {
                            if (filling != null) {
                                filling.start();
                            }
                            filling = new ReadGroup(spare);
                        }
                        window.add(new Pending(change, filling, filling.add((LayerChange.Added) change)));
                    } else {
                        window.add(new Pending(change, null, 0));
                    }
                    if (window.size() >= READ_AHEAD) {
                        writeStreamed(tar, window.poll(), firstLinks, buffer);
                    }
                }
            }
        }
        while (!window.isEmpty()) {
            writeStreamed(tar, window.poll(), firstLinks, buffer);
        }
        tar.finish();
    }

    /** Entries whose content may be read ahead of the one being written. */
    private static final int READ_AHEAD = 64;
    /** Files read ahead by one task: a hand-off per small file cost about as much CPU as its read. */
    private static final int GROUP = 16;
    /** Files up to this size are read ahead whole; larger ones stream through on the writing thread. */
    private static final long READ_AHEAD_MAX = 256 * 1024;

    /** A change of the streaming walk, with the group reading its content ahead (null: read when written). */
    private record Pending(LayerChange change, ReadGroup group, int index) {
    }

    /** Whether {@code change} is a small file of one link (a later link of several is written without content). */
    private static boolean readsAhead(LayerChange change) {
        if (change instanceof LayerChange.Added added) {
            FileMetadata m = added.metadata();
            return m.kind() == FileKind.REGULAR && m.size() > 0 && m.size() <= READ_AHEAD_MAX && m.linkCount() == 1;
        }
        return false;
    }

    /**
     * Consecutive small files whose contents one task on the executor reads, back to back into one buffer. Used by
     * the writing thread only (the task fills the buffer it is given, and the future hands it back).
     *
     * <p>The buffer comes from the walk's spare buffers and goes back there once the group's last file is written.
     * A new array per file, and a read buffer beside it, put twice the small files' content on fresh heap pages: in a
     * fresh JVM writing bench/layers.sh's 367 MB tree (60 MB of it in small files), 15,000 of its 44,500 page faults
     * and two of its four young collections, where the walk now reuses a handful of buffers.
     */
    private final class ReadGroup {
        /** Spare buffers kept for later groups; more would only hold memory the window never uses at once. */
        private static final int SPARE = 8;
        /** The smallest buffer made, so that a buffer fits most later groups. */
        private static final int MIN_BUFFER = 1 << 20;

        private final List<LayerChange.Added> files = new ArrayList<>(GROUP);
        private final ArrayDeque<byte[]> spare;
        private final int[] offsets = new int[GROUP + 1];
        private CompletableFuture<byte[]> contents;

        ReadGroup(ArrayDeque<byte[]> spare) {
            this.spare = spare;
        }

        int add(LayerChange.Added file) {
            files.add(file);
            offsets[files.size()] = offsets[files.size() - 1] + (int) file.metadata().size();
            return files.size() - 1;
        }

        /**
         * Whether no file may join: the group is full, or its reading already started (an entry of it reached the
         * writer before the group filled, past a run of entries not read ahead) and would not see a later file.
         */
        boolean closed() {
            return files.size() >= GROUP || contents != null;
        }

        void start() {
            if (contents == null) {
                byte[] buffer = take(offsets[files.size()]);
                contents = CompletableFuture.supplyAsync(() -> {
                    for (int i = 0; i < files.size(); i++) {
                        LayerChange.Added f = files.get(i);
                        try {
                            readInto(f.source(), buffer, offsets[i], offsets[i + 1] - offsets[i], f.path());
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                    return buffer;
                }, executor);
            }
        }

        /** Writes the content of file {@code index}; after the group's last file, its buffer is spare again. */
        void writeContent(TarWriter tar, int index) throws IOException {
            start();
            byte[] buffer = await(contents);
            tar.write(buffer, offsets[index], offsets[index + 1] - offsets[index]);
            if (index == files.size() - 1 && spare.size() < SPARE) {
                spare.push(buffer);
            }
        }

        /** A spare buffer of at least {@code size} bytes, or a new one. */
        private byte[] take(int size) {
            for (java.util.Iterator<byte[]> i = spare.iterator(); i.hasNext(); ) {
                byte[] b = i.next();
                if (b.length >= size) {
                    i.remove();
                    return b;
                }
            }
            return new byte[Math.max(size, MIN_BUFFER)];
        }
    }

    private void writeStreamed(TarWriter tar, Pending pending, Map<List<Long>, String> firstLinks, byte[] buffer)
            throws IOException {
        LayerChange change = pending.change();
        if (change instanceof LayerChange.Added added) {
            writeAdded(tar, added.path(), added, firstLinks, buffer,
                    pending.group(), pending.index());
        } else if (change instanceof LayerChange.Deleted d) {
            int slash = d.path().lastIndexOf('/');
            String name = d.path().substring(0, slash + 1) + WHITEOUT_PREFIX + d.path().substring(slash + 1);
            tar.putEntry(whiteout(name));
        } else {
            tar.putEntry(whiteout(change.path() + "/" + OPAQUE_MARKER));
        }
    }

    /**
     * A whiteout or opaque marker named {@code name}: an empty regular file, mode 0, owner 0:0, dated
     * SOURCE_DATE_EPOCH when set, else 1970 ({@link LayerWriter}).
     */
    private TarEntry whiteout(String name) {
        return new TarEntry(name, TarEntryType.REGULAR, 0, 0, 0, 0, options.sourceDateEpoch().orElse(0), "", 0, 0,
                Map.of());
    }

    /** The contents read ahead, or the failure of their reading as it would have been thrown here. */
    private static byte[] await(CompletableFuture<byte[]> content) throws IOException {
        try {
            return content.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException u) {
                throw u.getCause();
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Writes the uncompressed layer tar of {@code changes} to {@code out}, which stays open. */
    public void writeTar(List<LayerChange> changes, OutputStream out) throws IOException {
        List<Keyed> sorted = sort(changes);
        TarWriter tar = new TarWriter(out, headerFormatter());
        Map<List<Long>, String> firstLinks = new HashMap<>();
        byte[] buffer = new byte[COPY_BUFFER];
        for (Keyed k : sorted) {
            if (k.change instanceof LayerChange.Added added) {
                writeAdded(tar, k.name, added, firstLinks, buffer);
            } else {
                tar.putEntry(whiteout(k.name));
            }
        }
        tar.finish();
    }

    private void writeAdded(TarWriter tar, String name, LayerChange.Added added, Map<List<Long>, String> firstLinks,
            byte[] buffer) throws IOException {
        writeAdded(tar, name, added, firstLinks, buffer, null, 0);
    }

    /** @param readAhead the group reading the file's content (at {@code index}) on the executor, or null */
    private void writeAdded(TarWriter tar, String name, LayerChange.Added added, Map<List<Long>, String> firstLinks,
            byte[] buffer, ReadGroup readAhead, int index) throws IOException {
        FileMetadata m = added.metadata();
        if (m.kind() == FileKind.SOCKET) {
            return;
        }
        long mtime = m.mtimeSeconds();
        if (options.sourceDateEpoch().isPresent()) {
            mtime = Math.min(mtime, options.sourceDateEpoch().getAsLong());
        }
        Map<String, byte[]> xattrs = m.xattrs();
        if (!xattrs.isEmpty()) {
            Map<String, byte[]> kept = new LinkedHashMap<>();
            xattrs.forEach((k, v) -> {
                if (!k.startsWith("trusted.overlay.")) {
                    kept.put(k, v);
                }
            });
            xattrs = kept;
        }
        if (m.kind() != FileKind.DIRECTORY && m.linkCount() > 1) {
            String first = firstLinks.putIfAbsent(List.of(m.device(), m.inode()), name);
            if (first != null) {
                tar.putEntry(new TarEntry(name, TarEntryType.HARDLINK, m.mode(), m.uid(), m.gid(), 0, mtime, first,
                        0, 0, xattrs));
                return;
            }
        }
        TarEntryType type = switch (m.kind()) {
            case REGULAR -> TarEntryType.REGULAR;
            case DIRECTORY -> TarEntryType.DIRECTORY;
            case SYMLINK -> TarEntryType.SYMLINK;
            case CHAR_DEVICE -> TarEntryType.CHAR_DEVICE;
            case BLOCK_DEVICE -> TarEntryType.BLOCK_DEVICE;
            case FIFO -> TarEntryType.FIFO;
            case SOCKET -> throw new IllegalStateException("sockets are skipped above");
        };
        boolean device = type == TarEntryType.CHAR_DEVICE || type == TarEntryType.BLOCK_DEVICE;
        tar.putEntry(new TarEntry(name, type, m.mode(), m.uid(), m.gid(), m.size(), mtime, m.linkTarget(),
                device ? DeviceNumbers.major(m.rdev()) : 0, device ? DeviceNumbers.minor(m.rdev()) : 0, xattrs));
        if (type == TarEntryType.REGULAR && m.size() > 0) {
            if (readAhead != null) {
                readAhead.writeContent(tar, index);
            } else {
                copyContent(tar, added.source(), m.size(), name, buffer);
            }
        }
    }

    /**
     * Reads the {@code size} bytes of {@code source} into {@code dest} at {@code offset}, with the checks of
     * {@link #copyContent} that the file neither grew nor shrank, but straight into place.
     */
    private void readInto(Path source, byte[] dest, int offset, int size, String name) throws IOException {
        readExactly(source, size, name, dest, offset, true, (bytes, length) -> { });
    }

    private void copyContent(TarWriter tar, Path source, long size, String name, byte[] buffer)
            throws IOException {
        readExactly(source, size, name, buffer, 0, false, (bytes, length) -> tar.write(bytes, 0, length));
    }

    /** Receives the bytes read into a buffer. */
    @FunctionalInterface
    private interface Chunks {
        void accept(byte[] bytes, int length) throws IOException;
    }

    /**
     * Hands {@code source}'s {@code size} bytes to {@code sink}; a file that grew or shrank meanwhile fails.
     *
     * @param inPlace whether the bytes are read one after the other into {@code buffer} from {@code offset} (which
     *     then has room for all of them), rather than each piece into {@code buffer}'s start
     */
    private void readExactly(Path source, long size, String name, byte[] buffer, int offset, boolean inPlace,
            Chunks sink) throws IOException {
        long copied = 0;
        try (InputStream in = open(source)) {
            while (copied < size) {
                int n = inPlace ? in.read(buffer, offset + (int) copied, (int) (size - copied))
                        : in.read(buffer, 0, (int) Math.min(buffer.length, size - copied));
                if (n < 0) {
                    break;
                }
                sink.accept(buffer, n);
                copied += n;
            }
            // In place, the byte after the file's is another file's: one more byte is read into a buffer of its own.
            if (copied == size && in.read(inPlace ? new byte[1] : buffer, 0, 1) > 0) {
                throw new LayerException("file " + source + " (layer path " + name
                        + ") grew while it was being written into a layer; retry when it is not being modified");
            }
        } catch (LayerException e) {
            if (e instanceof PosixCallException) {
                throw new LayerException("cannot read " + source + " (layer path " + name + "): " + e.getMessage(),
                        e);
            }
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot read " + source + " (layer path " + name + "): " + e.getMessage(), e);
        }
        if (copied != size) {
            throw new LayerException("file " + source + " (layer path " + name
                    + ") shrank while it was being written into a layer; retry when it is not being modified");
        }
    }

    /**
     * The scanner's binding's native header formatter ({@link PosixFiles#ustarHeader}), or null where it has none (the
     * jffi binding): TarWriter then formats every header itself, to the same bytes.
     */
    private TarWriter.HeaderFormatter headerFormatter() {
        if (!nativeHeaders) {
            return null;
        }
        PosixFiles posix = scanner.posix();
        try {
            posix.ustarHeader("", '0', 0, 0, 0, 0, 0, "", 0, 0, new byte[TAR_BLOCK]);
        } catch (UnsupportedOperationException | UnsatisfiedLinkError e) {
            nativeHeaders = false; // this binding (or an older library of it) has none
            return null;
        }
        return new NativeHeaders(posix);
    }

    /** Headers through the binding (a class rather than a method reference: no lambda to spin in a fresh JVM). */
    private static final class NativeHeaders implements TarWriter.HeaderFormatter {
        private final PosixFiles posix;

        NativeHeaders(PosixFiles posix) {
            this.posix = posix;
        }

        @Override
        public boolean format(String name, char type, int mode, long uid, long gid, long size, long mtime,
                String linkName, long devMajor, long devMinor, byte[] header) {
            return posix.ustarHeader(name, type, mode, uid, gid, size, mtime, linkName, devMajor, devMinor, header);
        }
    }

    /**
     * Opens {@code source} without following a symlink: through the scanner's native binding (one open, reads and a
     * close, where java.nio makes a channel, a stream and a cleaner per file), else java.nio.
     */
    private InputStream open(Path source) throws IOException {
        if (nativeReads) {
            try {
                return new NativeContent(scanner.posix().openForReading(source));
            } catch (UnsupportedOperationException e) {
                nativeReads = false; // this binding or platform cannot: java.nio from now on
            }
        }
        return Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS);
    }

    /** A file's content read through the binding; only the bulk read is used here. */
    private static final class NativeContent extends InputStream {
        private final ReadableFile file;

        NativeContent(ReadableFile file) {
            this.file = file;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return file.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            return file.read(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    /** A change with its tar name and sort key. */
    private record Keyed(LayerChange change, String name, byte[] key) {
    }

    private static List<Keyed> sort(List<LayerChange> changes) throws LayerException {
        List<Keyed> keyed = new ArrayList<>(changes.size());
        Set<String> names = new HashSet<>();
        Set<String> deletedOrAdded = new HashSet<>();
        for (LayerChange c : changes) {
            String name;
            String key;
            if (c instanceof LayerChange.Added a) {
                name = a.path();
                key = name;
                if (!deletedOrAdded.add(a.path())) {
                    throw new LayerException("layer change list has " + a.path() + " twice (added and deleted, or "
                            + "added twice)");
                }
            } else if (c instanceof LayerChange.Deleted d) {
                int slash = d.path().lastIndexOf('/');
                name = d.path().substring(0, slash + 1) + WHITEOUT_PREFIX + d.path().substring(slash + 1);
                key = d.path();
                if (!deletedOrAdded.add(d.path())) {
                    throw new LayerException("layer change list has " + d.path() + " twice (added and deleted, or "
                            + "deleted twice)");
                }
            } else {
                name = c.path() + "/" + OPAQUE_MARKER;
                // Sorts right after the directory and before its children (an empty last component is the
                // smallest): the marker must precede them, or an applier that empties the directory on the marker
                // could remove this layer's own children.
                key = c.path() + "/";
            }
            if (!names.add(name)) {
                throw new LayerException("layer change list has the entry " + name + " twice");
            }
            keyed.add(new Keyed(c, name, key.getBytes(StandardCharsets.UTF_8)));
        }
        keyed.sort(Comparator.comparing(Keyed::key, LayerWriter::walkOrder));
        return keyed;
    }

    /**
     * The order of layer paths in a layer: component by component, each compared by its bytes, a path before the
     * paths below it. That is the byte order of the paths with {@code /} taken as smaller than any other byte (no
     * name holds a NUL), so {@code a}, {@code a/x}, {@code a-b}, {@code a.txt}: the order in which Go's
     * {@code filepath.Walk} (sorted names, each directory's subtree before its next sibling) hands a tree to
     * containerd's and moby's tar writers, where sorting whole names would put {@code a-b} and {@code a.txt} between
     * {@code a} and {@code a/x}.
     */
    public static int walkOrder(byte[] a, byte[] b) {
        int i = Arrays.mismatch(a, b);
        if (i < 0) {
            return 0;
        }
        if (i == a.length || i == b.length) {
            return Integer.compare(a.length, b.length);
        }
        return Integer.compare(a[i] == '/' ? -1 : a[i] & 0xff, b[i] == '/' ? -1 : b[i] & 0xff);
    }

    /** Passes bytes through and reports the running count; does not close the stream under it. */
    private static final class CountingOutputStream extends FilterOutputStream {
        private final LongConsumer written;
        private long count;

        CountingOutputStream(OutputStream out, LongConsumer written) {
            super(out);
            this.written = written;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            written.accept(++count);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
            written.accept(count);
        }

        @Override
        public void close() {
            // The sink is closed by its own try-with-resources.
        }
    }
}
