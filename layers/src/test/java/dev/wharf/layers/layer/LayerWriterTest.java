package dev.wharf.layers.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarReader;
import dev.wharf.layers.testing.DelegatingPosixFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerWriterTest {
    @TempDir
    Path tmp;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private PosixFiles posix;
    private LayerWriter writer;
    private FileMetadataReader reader;

    @BeforeEach
    void setUp() throws Exception {
        posix = PosixFiles.system();
        reader = new FileMetadataReader(posix);
        writer = new LayerWriter(FileBlobStore.open(tmp.resolve("store")), new TreeScanner(posix),
                LayerWriterOptions.of(LayerCompression.gzip(6, 2)), pool);
    }

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void anExplicitChangeList_becomesEntriesInWalkOrderWithWhiteoutsAndOpaqueMarkers() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Path dir = Files.createDirectory(src.resolve("dir"));
        Path file = Files.writeString(src.resolve("file"), "content");
        List<LayerChange> changes = List.of(
                added("b/f", file), new LayerChange.OpaqueDirectory("b"), added("b-c", file),
                new LayerChange.Deleted("a/x"), added("b", dir), added("a", dir), new LayerChange.Deleted("top"));
        List<TarEntry> entries = tarEntries(changes);
        // b's subtree before its sibling b-c; the whiteout of top where top would be, after b-c.
        assertEquals(List.of("a/", "a/.wh.x", "b/", "b/.wh..wh..opq", "b/f", "b-c", ".wh.top"),
                entries.stream().map(TarEntry::name).toList());
        TarEntry whiteout = entries.get(1);
        assertEquals(TarEntryType.REGULAR, whiteout.type());
        assertEquals(List.of(0, 0L, 0L, 0L, 0L), List.of(whiteout.mode(), whiteout.uid(), whiteout.gid(),
                whiteout.mtime(), whiteout.size()));
        assertEquals(7, entries.get(4).size());
    }

    /**
     * What containerd's ChangeWriter writes for a deletion (Go's tar writer, format unset: a plain ustar header,
     * mode 0, 0:0, no user or group names, its atime and ctime dropped), dated SOURCE_DATE_EPOCH when the build
     * has one (WithWhiteoutTime; BuildKit's rewrite-timestamp clamps the diff's time to it), 1970 otherwise.
     */
    @Test
    void whiteoutsAndOpaqueMarkers_areBareUstarHeaders_datedSourceDateEpochWhenSet() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        for (long epoch : new long[] {0, 1_200_000_000L}) {
            LayerWriterOptions options = LayerWriterOptions.of(LayerCompression.gzip(6, 2));
            LayerWriter dated = new LayerWriter(FileBlobStore.open(tmp.resolve("store-" + epoch)),
                    new TreeScanner(posix), epoch == 0 ? options : options.withSourceDateEpoch(epoch), pool);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            dated.writeTar(List.of(added("a", dir), new LayerChange.Deleted("a/x"),
                    new LayerChange.OpaqueDirectory("a")), out);
            byte[] tar = out.toByteArray();
            assertEquals(5 * 512, tar.length, "three headers, no PAX record, two zero blocks");
            List<String> names = new ArrayList<>();
            for (int block = 1; block <= 2; block++) {
                String h = new String(tar, block * 512, 512, java.nio.charset.StandardCharsets.ISO_8859_1);
                names.add(h.substring(0, 100).replace("\0", ""));
                assertEquals(List.of("0000000\0", "0000000\0", "0000000\0", "00000000000\0",
                                String.format("%011o", epoch) + "\0", "0", "ustar\u000000", "", ""),
                        List.of(h.substring(100, 108), h.substring(108, 116), h.substring(116, 124),
                                h.substring(124, 136), h.substring(136, 148), h.substring(156, 157),
                                h.substring(257, 265), h.substring(265, 297).replace("\0", ""),
                                h.substring(297, 329).replace("\0", "")),
                        "mode, uid, gid, size, mtime, type, magic, uname, gname at epoch " + epoch);
            }
            assertEquals(List.of("a/.wh..wh..opq", "a/.wh.x"), names);
        }
    }

    /**
     * The order of containerd's and moby's tar writers, fed by Go's filepath.Walk (checked against dockerd 26's
     * BuildKit, whose layer of `rm /t/ord/a /t/ord/a0 /t/ord/z; touch /t/ord/b/in` lists .wh.a, .wh.a0, b/, b/in,
     * .wh.z): a directory's subtree right after it, before siblings whose names extend its name with a byte below
     * '/' ('-', '.', '!'), and each whiteout at the place of the name it deletes, not sorted as ".wh.".
     */
    @Test
    void entriesFollowGoWalkOrder_subtreesBeforeLongerSiblings_whiteoutsAtTheDeletedNamesPlace() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("walk"));
        Path dir = Files.createDirectory(src.resolve("dir"));
        Path file = Files.writeString(src.resolve("file"), "x");
        List<LayerChange> changes = List.of(
                added("t", dir), added("t/a", dir), added("t/a/x", file), added("t/a-b", file),
                added("t/a.txt", file), added("t/a!", file), new LayerChange.Deleted("t/0"),
                new LayerChange.Deleted("t/a0"), added("t/b", dir), added("t/b/in", file),
                new LayerChange.Deleted("t/z"), new LayerChange.Deleted("t/b/.x"), added("t/c", file));
        assertEquals(List.of("t/", "t/.wh.0", "t/a/", "t/a/x", "t/a!", "t/a-b", "t/a.txt", "t/.wh.a0", "t/b/",
                        "t/b/.wh..x", "t/b/in", "t/c", "t/.wh.z"),
                tarEntries(changes).stream().map(TarEntry::name).toList());
    }

    /** Must hold: the walk order of the comparator itself on the cases that tell it from the byte order of names. */
    @Test
    void walkOrder_takesSlashAsTheSmallestByte() {
        java.util.function.BiFunction<String, String, Integer> cmp = (a, b) -> Integer.signum(LayerWriter.walkOrder(
                a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(-1, cmp.apply("a", "a/x"));
        assertEquals(-1, cmp.apply("a/x", "a-b"));
        assertEquals(-1, cmp.apply("a/zzz", "a.b"));
        assertEquals(-1, cmp.apply("a/", "a/x"), "an opaque marker's key precedes the directory's children");
        assertEquals(1, cmp.apply("a/", "a"));
        assertEquals(0, cmp.apply("a/b", "a/b"));
        assertEquals(1, cmp.apply("\u00e9", "z"), "bytes compare unsigned");
        assertEquals(-1, cmp.apply("ab/c", "abc"));
    }

    /**
     * Attacks the streaming writer's per-directory order with names around '/' in byte order ("a", "a.b", "a/x",
     * "a0", "a-"), a rich tree, hard links and empty directories. Must hold: the same tar bytes as the list writer.
     */
    @Test
    void streamingTreeWriter_givesTheSameTarAsTheListWriter() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("stream"));
        SampleTrees.rich(Files.createDirectory(root.resolve("rich")), PosixFiles.system());
        for (String d : List.of("a", "a/x", "a.b", "a0", "a-", "z/y/x")) {
            Files.createDirectories(root.resolve(d));
        }
        for (String f : List.of("a/x/f", "a/f", "a.b/f", "a0/f", "a-/f", "ab", "a/x.y", "z/y/x/deep")) {
            Files.writeString(root.resolve(f), f);
        }
        Files.createLink(root.resolve("z/hard"), root.resolve("a/f"));
        LayerWriter writer = new LayerWriter(FileBlobStore.open(tmp.resolve("store2")),
                new TreeScanner(PosixFiles.system()), LayerWriterOptions.of(LayerCompression.gzip(6, 1)), pool);
        java.io.ByteArrayOutputStream list = new java.io.ByteArrayOutputStream();
        writer.writeTar(new TreeScanner(PosixFiles.system()).scanTree(root), list);
        java.io.ByteArrayOutputStream streamed = new java.io.ByteArrayOutputStream();
        writer.writeTarStreaming(root, false, streamed);
        org.junit.jupiter.api.Assertions.assertArrayEquals(list.toByteArray(), streamed.toByteArray());
    }

    /**
     * Attacks the streaming writer's read-ahead with small files separated by a run of entries it does not read ahead
     * (empty directories, longer than its window), so the first file reaches the writer while its read group is still
     * filling. Must hold: the later files are read by a new group, and the tar equals the list writer's.
     */
    @Test
    void streamingTreeWriter_smallFilesApartByMoreThanTheWindow_giveTheListWritersTar() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("gaps"));
        Files.writeString(root.resolve("a-first"), "first");
        for (int i = 0; i < 150; i++) {
            Files.createDirectory(root.resolve(String.format("b-dir%03d", i)));
        }
        for (int i = 0; i < 40; i++) {
            Files.writeString(root.resolve(String.format("c-file%02d", i)), "content " + i);
        }
        assertStreamingGivesTheListWritersTar(root);
    }

    /**
     * Small files are read ahead in groups, back to back into buffers the walk reuses once a group is written: 600
     * files of sizes from 1 byte to 200 KB make many groups of different layouts pass through the same buffers, and
     * no byte of an earlier group may show in a later file.
     */
    @Test
    void streamingTreeWriter_manyReadAheadGroupsOfMixedSizes_giveTheListWritersTar() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("many"));
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 600; i++) {
            byte[] content = new byte[i % 50 == 0 ? 200_000 : 1 + random.nextInt(i % 7 == 0 ? 60_000 : 3_000)];
            random.nextBytes(content);
            Files.write(root.resolve(String.format("f%03d", i)), content);
        }
        assertStreamingGivesTheListWritersTar(root);
    }

    /**
     * A small file read ahead whose size changed after the scan fails as one written directly does: the scan sees
     * the old size (a binding reporting it, the race made certain), the read finds more or fewer bytes.
     */
    @Test
    void streamingTreeWriter_aReadAheadFileThatChangedSizeAfterTheScan_failsAndStoresNothing() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("changing"));
        for (int i = 0; i < 40; i++) {
            Files.writeString(root.resolve(String.format("f%02d", i)), "content of file " + i);
        }
        for (int change : new int[] {-3, 3}) {
            Path changed = root.resolve("f20");
            PosixFiles stale = new StaleSize(posix, changed, change);
            LayerWriter staleWriter = new LayerWriter(FileBlobStore.open(tmp.resolve("store")),
                    new TreeScanner(stale), LayerWriterOptions.of(LayerCompression.zstd(3)), pool);
            LayerException e = assertThrows(LayerException.class, () -> staleWriter.writeTree(root));
            String expected = change < 0 ? "grew" : "shrank";
            assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(changed.toString()),
                    e.getMessage());
        }
        try (var blobs = Files.walk(tmp.resolve("store/blobs"))) {
            assertEquals(0, blobs.filter(Files::isRegularFile).count());
        }
    }

    /**
     * Files larger than the read-ahead limit and the sink's chunk are read in pieces on the writing thread, and the
     * chunk boundaries fall anywhere in their content (after headers and small files of odd sizes): a stored layer's
     * diff ID, size and content are still those of the tar the writer writes into a plain stream, through the list
     * writer and the streaming one alike.
     */
    @Test
    void storedLayerOfFilesLargerThanAChunk_holdsTheTarWrittenToAPlainStream() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("large"));
        java.util.Random random = new java.util.Random(5);
        int[] sizes = {1_000_003, 17, 262_144, 300_001, 5, 262_143, 700_000, 1};
        for (int i = 0; i < sizes.length; i++) {
            byte[] content = new byte[sizes[i]];
            random.nextBytes(content);
            Files.write(root.resolve("f" + i), content);
        }
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        writer.writeTarStreaming(root, false, plain);
        byte[] tar = plain.toByteArray();
        FileBlobStore store = FileBlobStore.open(tmp.resolve("large-store"));
        for (LayerCompression compression : List.of(LayerCompression.zstd(3, 2), LayerCompression.none())) {
            LayerWriter stored = new LayerWriter(store, new TreeScanner(posix), LayerWriterOptions.of(compression),
                    pool);
            for (LayerBlob layer : List.of(stored.writeTree(root),
                    stored.write(new TreeScanner(posix).scanTree(root)))) {
                assertEquals(dev.wharf.layers.Digest.sha256Of(tar), layer.diffId(), compression.toString());
                assertEquals(tar.length, layer.uncompressedSize());
                try (var in = dev.wharf.layers.compress.Decompressors.open(store.open(layer.descriptor().digest()))) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(tar, in.readAllBytes());
                }
            }
        }
    }

    /** The streaming writer's tar of the tree under {@code root} equals the list writer's of its scan. */
    private void assertStreamingGivesTheListWritersTar(Path root) throws IOException {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        writer.writeTar(new TreeScanner(posix).scanTree(root), list);
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        writer.writeTarStreaming(root, false, streamed);
        org.junit.jupiter.api.Assertions.assertArrayEquals(list.toByteArray(), streamed.toByteArray());
    }

    /** The real binding, except that {@code lstat} reports one file's size off by {@code change} bytes. */
    private static final class StaleSize extends DelegatingPosixFiles {
        private final Path file;
        private final long change;

        StaleSize(PosixFiles real, Path file, long change) {
            super(real);
            this.file = file;
            this.change = change;
        }

        @Override
        public dev.wharf.layers.posix.PosixStat lstat(Path path) throws LayerException {
            dev.wharf.layers.posix.PosixStat s = real.lstat(path);
            if (!path.equals(file)) {
                return s;
            }
            return new dev.wharf.layers.posix.PosixStat(s.device(), s.inode(), s.mode(), s.nlink(), s.uid(), s.gid(),
                    s.rdev(), s.size() + change, s.mtimeSeconds(), s.mtimeNsec(), s.ctimeSeconds(), s.ctimeNsec());
        }

        @Override
        public List<String> listDirectory(Path dir) throws LayerException {
            return real.listDirectory(dir);
        }

        @Override
        public dev.wharf.layers.posix.ReadableFile openForReading(Path path) throws LayerException {
            return real.openForReading(path);
        }
    }

    @Test
    void aPathListedTwice_isRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        LayerException twice = assertThrows(LayerException.class,
                () -> writer.write(List.of(added("a", file), added("a", file))));
        assertTrue(twice.getMessage().contains("a twice"), twice.getMessage());
        assertThrows(LayerException.class, () -> writer.write(List.of(added("a", file), new LayerChange.Deleted("a"))));
    }

    @Test
    void layerPaths_mustBeCleanAndRelative() {
        for (String bad : List.of("", "/a", "a/", "a//b", "./a", "a/../b", "..", "a/.wh.b")) {
            assertThrows(IllegalArgumentException.class, () -> new LayerChange.Deleted(bad), bad);
        }
    }

    @Test
    void filesNamedLikeWhiteouts_areRefusedWithAHint() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Files.writeString(src.resolve(".wh.sneaky"), "x");
        LayerException e = assertThrows(LayerException.class, () -> writer.writeTree(src));
        assertTrue(e.getMessage().contains(".wh.sneaky") && e.getMessage().contains("rename"), e.getMessage());
    }

    @Test
    void socketsAreLeftOut() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Files.writeString(src.resolve("kept"), "x");
        try (ServerSocketChannel socket = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(src.resolve("sock")));
            assertEquals(List.of("kept"),
                    tarEntries(new TreeScanner(posix).scanTree(src)).stream().map(TarEntry::name).toList());
        }
    }

    @Test
    void theFirstPathOfAHardLinkedFile_holdsTheContent_laterOnesLinkToIt() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Files.writeString(src.resolve("z"), "linked");
        Files.createDirectory(src.resolve("a"));
        Files.createLink(src.resolve("a/b"), src.resolve("z"));
        Files.createLink(src.resolve("m"), src.resolve("z"));
        List<TarEntry> entries = tarEntries(new TreeScanner(posix).scanTree(src));
        assertEquals(List.of("a/", "a/b", "m", "z"), entries.stream().map(TarEntry::name).toList());
        assertEquals(TarEntryType.REGULAR, entries.get(1).type());
        assertEquals(6, entries.get(1).size());
        for (TarEntry link : entries.subList(2, 4)) {
            assertEquals(TarEntryType.HARDLINK, link.type(), link.name());
            assertEquals("a/b", link.linkName());
            assertEquals(0, link.size());
        }
    }

    @Test
    void aFileThatChangesSizeWhileWritten_failsAndStoresNothing() throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "short");
        FileMetadata stale = reader.read(file);
        Files.writeString(file, "much longer now");
        LayerException grew = assertThrows(LayerException.class,
                () -> writer.write(List.of(new LayerChange.Added("f", file, stale))));
        assertTrue(grew.getMessage().contains("grew"), grew.getMessage());
        Files.writeString(file, "s");
        LayerException shrank = assertThrows(LayerException.class,
                () -> writer.write(List.of(new LayerChange.Added("f", file, stale))));
        assertTrue(shrank.getMessage().contains("shrank"), shrank.getMessage());
        try (var blobs = Files.walk(tmp.resolve("store/blobs"))) {
            assertEquals(0, blobs.filter(Files::isRegularFile).count());
        }
    }

    @Test
    void aFileReplacedByASymlinkAfterTheScan_isNotFollowed_andStoresNothing() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "12345");
        Path file = Files.writeString(tmp.resolve("f"), "abcde");
        FileMetadata scanned = reader.read(file);
        Files.delete(file);
        Files.createSymbolicLink(file, secret);
        LayerException e = assertThrows(LayerException.class,
                () -> writer.write(List.of(new LayerChange.Added("f", file, scanned))));
        assertTrue(e.getMessage().contains("cannot read " + file + " (layer path f)"), e.getMessage());
        try (var blobs = Files.walk(tmp.resolve("store/blobs"))) {
            assertEquals(0, blobs.filter(Files::isRegularFile).count());
        }
    }

    private LayerChange added(String path, Path source) throws LayerException {
        return new LayerChange.Added(path, source, reader.read(source));
    }

    private List<TarEntry> tarEntries(List<LayerChange> changes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeTar(changes, out);
        TarReader tar = new TarReader(new ByteArrayInputStream(out.toByteArray()));
        List<TarEntry> entries = new ArrayList<>();
        Optional<TarEntry> e;
        while ((e = tar.next()).isPresent()) {
            entries.add(e.get());
        }
        return entries;
    }
}
