package dev.wharf.layers.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarWriter;
import dev.wharf.layers.testing.DelegatingPosixFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Applying layers, including hostile and broken ones: nothing may ever be written outside the root. */
class LayerApplierTest {
    @TempDir
    Path tmp;

    private Path root;
    private Path outside;
    private PosixFiles posix;
    private LayerApplier applier;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(tmp.resolve("root"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "secret");
        posix = PosixFiles.system();
        applier = new LayerApplier(posix);
    }

    @Test
    void dotDotAboveTheRoot_isRefusedNamingTheEntry() throws Exception {
        LayerException e = assertThrows(LayerException.class, () -> apply(tar(file("../x", "pwned"))));
        assertTrue(e.getMessage().contains("'../x'") && e.getMessage().contains("outside the root"), e.getMessage());
        assertNothingOutside();
    }

    @Test
    void dotDotThatStaysInside_isCleanedLexically() throws Exception {
        apply(tar(file("a/../b", "in")));
        assertEquals("in", Files.readString(root.resolve("b")));
        assertFalse(Files.exists(root.resolve("a")));
    }

    @Test
    void absoluteName_isTakenRelativeToTheRoot() throws Exception {
        apply(tar(file(outside + "/pwned", "contained")));
        assertEquals("contained", Files.readString(root.resolve(outside.toString().substring(1)).resolve("pwned")));
        assertNothingOutside();
    }

    @Test
    void writingThroughAnAbsoluteSymlink_staysInsideTheRoot() throws Exception {
        apply(tar(symlink("evil", outside.toString()), file("evil/pwned", "contained")));
        assertEquals("contained", Files.readString(root.resolve(outside.toString().substring(1)).resolve("pwned")));
        assertTrue(Files.isSymbolicLink(root.resolve("evil")));
        assertNothingOutside();
    }

    @Test
    void writingThroughARelativeSymlinkThatClimbs_stopsAtTheRoot() throws Exception {
        apply(tar(dir("a/b"), symlink("a/b/up", "../../../../../../.."), file("a/b/up/pwned", "contained")));
        assertEquals("contained", Files.readString(root.resolve("pwned")));
        assertNothingOutside();
    }

    @Test
    void aSymlinkPlantedByAnEarlierLayer_isResolvedInsideTheRoot() throws Exception {
        apply(tar(symlink("lib", outside.toString())));
        apply(tar(file("lib/pwned", "contained"), file("lib/secret", "overwritten?")));
        assertEquals("contained", Files.readString(root.resolve(outside.toString().substring(1)).resolve("pwned")));
        assertNothingOutside();
    }

    @Test
    void aDirectoryReplacedByASymlinkLaterInTheLayer_isNotWrittenThroughByItsOldResolution() throws Exception {
        // d and d/e are resolved (and remembered) as real directories, then d becomes a symlink to the outside: the
        // later children must go through the symlink, resolved inside the root, never into a stale resolution.
        apply(tar(dir("d"), dir("d/e"), file("d/e/first", "1"), symlink("d", outside.toString()),
                file("d/e/second", "contained"), file("d/third", "contained")));
        Path inside = root.resolve(outside.toString().substring(1));
        assertEquals("contained", Files.readString(inside.resolve("e/second")));
        assertEquals("contained", Files.readString(inside.resolve("third")));
        assertTrue(Files.isSymbolicLink(root.resolve("d")));
        assertNothingOutside();
    }

    @Test
    void withDirectories_entriesGoWhereTheResolverSays_andNewDirectoriesAreReported() throws Exception {
        // The resolver stands for a tree around the root (an image's lower layers): everything under "elsewhere"
        // goes into the directory "moved" instead, as a lower symlink would send it.
        Path moved = Files.createDirectory(tmp.resolve("moved"));
        java.util.List<Path> made = new java.util.ArrayList<>();
        LayerApplier.Directories directories = new LayerApplier.Directories() {
            @Override
            public Path directory(java.util.List<String> parts, String entry) throws IOException {
                Path dir = !parts.isEmpty() && parts.get(0).equals("elsewhere") ? moved : root;
                for (String part : parts.subList(dir == moved ? 1 : 0, parts.size())) {
                    dir = dir.resolve(part);
                    if (!Files.isDirectory(dir)) {
                        Files.createDirectory(dir);
                    }
                }
                return dir;
            }

            @Override
            public void madeDirectory(Path created) {
                made.add(created);
            }
        };
        applier.apply(new ByteArrayInputStream(tar(file("elsewhere/a/f", "moved"), dir("d"), file("d/g", "here"),
                file("h", "x"), hardlink("elsewhere/hl", "elsewhere/a/f"))), root, directories);
        assertEquals("moved", Files.readString(moved.resolve("a/f")));
        assertEquals("here", Files.readString(root.resolve("d/g")));
        assertFalse(Files.exists(root.resolve("elsewhere")));
        assertEquals(Files.readAttributes(moved.resolve("a/f"), "unix:ino").get("ino"),
                Files.readAttributes(moved.resolve("hl"), "unix:ino").get("ino"));
        assertEquals(java.util.List.of(root.resolve("d")), made);
    }

    @Test
    void aSymlinkLoop_isRefused() throws Exception {
        LayerException e = assertThrows(LayerException.class,
                () -> apply(tar(symlink("loop1", "loop2"), symlink("loop2", "loop1"), file("loop1/x", "x"))));
        assertTrue(e.getMessage().contains("loop1/x") && e.getMessage().contains("symbolic links"), e.getMessage());
    }

    @Test
    void hardlinksToOutside_areRefused() throws Exception {
        LayerException up = assertThrows(LayerException.class, () -> apply(tar(hardlink("h", "../outside/secret"))));
        assertTrue(up.getMessage().contains("hard link target of h"), up.getMessage());
        LayerException absolute = assertThrows(LayerException.class,
                () -> apply(tar(hardlink("h", outside + "/secret"))));
        assertTrue(absolute.getMessage().contains("layer entry h is a hard link to"), absolute.getMessage());
        LayerException viaSymlink = assertThrows(LayerException.class,
                () -> apply(tar(symlink("s", outside.toString()), hardlink("h", "s/secret"))));
        assertTrue(viaSymlink.getMessage().contains("does not exist"), viaSymlink.getMessage());
        assertEquals(1, (Integer) Files.getAttribute(outside.resolve("secret"), "unix:nlink"));
        assertNothingOutside();
    }

    @Test
    void hardlinkEntry_setsItsOwnerModeAndTimeOnTheSharedInode_asContainerdAndGoArchiveDo() throws Exception {
        // BuildKit's ADD (go-archive createTarFile) and containerd's apply chown, chmod and chtimes the link path,
        // so an archive whose link header differs from its target's ends with the link header's metadata.
        TarEntry link = new TarEntry("h", TarEntryType.HARDLINK, 0600, 7, 8, 0, 1_234_567_890L, "f", 0, 0, Map.of());
        apply(tar(file("f", "content"), link));
        Path f = root.resolve("f");
        assertEquals(2, (Integer) Files.getAttribute(f, "unix:nlink"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(1_234_567_890L, Files.getLastModifiedTime(f).toMillis() / 1000);
        if (posix.effectiveUid() == 0) {
            assertEquals(7, (Integer) Files.getAttribute(f, "unix:uid"));
            assertEquals(8, (Integer) Files.getAttribute(f, "unix:gid"));
        }
    }

    @Test
    void hardlinkToASymlink_linksTheSymlinkItself() throws Exception {
        Set<PosixFilePermission> before = Files.getPosixFilePermissions(outside.resolve("secret"));
        apply(tar(symlink("s", outside + "/secret"), entry("h", TarEntryType.HARDLINK, 0, "s", 0777, 0)));
        assertTrue(Files.isSymbolicLink(root.resolve("h")));
        assertEquals(1, (Integer) Files.getAttribute(outside.resolve("secret"), "unix:nlink"));
        // The link header's mode is not applied through the symlink.
        assertEquals(before, Files.getPosixFilePermissions(outside.resolve("secret")));
    }

    @Test
    void aHardlinksHeader_setsModeAndTimeOfTheInodeItShares_asContainerdDoes() throws Exception {
        // containerd's and go-archive's createTarFile chown, chmod and chtimes the link after os.Link; Python's
        // tarfile writes link headers with mode 0644 whatever the target's.
        Item target = new Item(new TarEntry("f", TarEntryType.REGULAR, 0600, 0, 0, 1, 1_500_000_000L, "", 0, 0,
                Map.of()), new byte[] {'x'});
        apply(tar(target, entry("h", TarEntryType.HARDLINK, 0, "f", 0755, 1_600_000_000L)));
        assertEquals(PosixFilePermissions.fromString("rwxr-xr-x"), Files.getPosixFilePermissions(root.resolve("f")));
        assertEquals(1_600_000_000_000L, Files.getLastModifiedTime(root.resolve("f")).toMillis());
        assertEquals(2, (Integer) Files.getAttribute(root.resolve("h"), "unix:nlink"));
    }

    @Test
    void anEntryOverASymlink_replacesTheSymlinkAndNeverFollowsIt() throws Exception {
        apply(tar(symlink("f", outside + "/secret"), file("f", "replaced")));
        assertFalse(Files.isSymbolicLink(root.resolve("f")));
        assertEquals("replaced", Files.readString(root.resolve("f")));
        assertNothingOutside();
    }

    @Test
    void duplicateEntries_theLastOneWins() throws Exception {
        apply(tar(file("dup", "one"), file("dup", "two"), file("d", "file"), dir("d"), file("d/inner", "x"),
                dir("keep"), file("keep/child", "c"), dir("keep")));
        assertEquals("two", Files.readString(root.resolve("dup")));
        assertTrue(Files.isDirectory(root.resolve("d"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("c", Files.readString(root.resolve("keep/child")), "a directory over a directory merges");
    }

    @Test
    void whiteouts_deleteFromTheLowerLayers_andOpaqueMarkersHideTheirContentInAnyOrder() throws Exception {
        apply(tar(dir("d"), file("d/old", "old"), dir("d/sub"), file("d/sub/x", "x"), file("gone", "gone"),
                dir("tree"), file("tree/leaf", "leaf")));
        apply(tar(file(".wh.gone", ""), file(".wh.tree", ""), file("d/new", "new"), file("d/.wh..wh..opq", ""),
                file(".wh.never-existed", "")));
        assertFalse(Files.exists(root.resolve("gone")));
        assertFalse(Files.exists(root.resolve("tree")));
        assertFalse(Files.exists(root.resolve(".wh.gone")));
        try (Stream<Path> list = Files.list(root.resolve("d"))) {
            assertEquals(List.of("new"), list.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void anOpaqueMarkerAfterChildrenWithoutParentEntries_keepsTheLayersOwnFiles() throws Exception {
        apply(tar(dir("d"), dir("d/sub"), file("d/sub/old", "old"), file("d/other", "other")));
        apply(tar(file("d/sub/new", "new"), file("d/.wh..wh..opq", "")));
        assertEquals("new", Files.readString(root.resolve("d/sub/new")));
        assertFalse(Files.exists(root.resolve("d/sub/old")));
        assertFalse(Files.exists(root.resolve("d/other")));
    }

    @Test
    void invalidWhiteoutNames_areRefused() throws Exception {
        LayerException e = assertThrows(LayerException.class, () -> apply(tar(file("a/.wh..", ""))));
        assertTrue(e.getMessage().contains("a/.wh.."), e.getMessage());
    }

    @Test
    void directoryTimes_areSetAfterTheirChildren() throws Exception {
        apply(tar(entry("d/", TarEntryType.DIRECTORY, 0, "", 0755, 1_000), file("d/a", "a"), file("d/b", "b")));
        assertEquals(1_000L, new FileMetadataReader(posix).read(root.resolve("d")).mtimeSeconds());
    }

    @Test
    void readOnlyDirectories_stillGetTheirChildren() throws Exception {
        apply(tar(entry("ro/", TarEntryType.DIRECTORY, 0, "", 0555, 1_000), file("ro/child", "c")));
        assertEquals("c", Files.readString(root.resolve("ro/child")));
        assertEquals(0555, (Integer) Files.getAttribute(root.resolve("ro"), "unix:mode") & 07777);
    }

    @Test
    void truncatedGzip_fails() throws Exception {
        byte[] gz = gzip(tar(file("a", "x".repeat(100_000)), file("b", "y")));
        byte[] cut = Arrays.copyOf(gz, gz.length - 10);
        LayerException e = assertThrows(LayerException.class, () -> apply(cut));
        assertTrue(e.getMessage().contains("cannot read layer") || e.getMessage().contains("truncated"),
                e.getMessage());
        assertNothingOutside();
    }

    /** Found by TarContextFuzzTest: GZIPInputStream's EOFException has no message, so this one ended in ": null". */
    @Test
    void aGzipCutInsideItsHeader_failsSayingTheStreamEnded() throws Exception {
        byte[] gz = gzip(tar(file("a", "x")));
        LayerException e = assertThrows(LayerException.class, () -> apply(Arrays.copyOf(gz, 5)));
        assertTrue(e.getMessage().endsWith("at its start: unexpected end of stream"), e.getMessage());
    }

    @Test
    void truncatedZstd_fails() throws Exception {
        byte[] zst = zstd(tar(file("a", "x".repeat(100_000)), file("b", "y")));
        byte[] cut = Arrays.copyOf(zst, zst.length - 10);
        assertThrows(LayerException.class, () -> apply(cut));
    }

    @Test
    void corruptedGzip_fails() throws Exception {
        byte[] gz = gzip(tar(file("a", "content")));
        gz[gz.length - 6] ^= 0x55;
        assertThrows(LayerException.class, () -> apply(gz));
    }

    @Test
    void truncatedPlainTar_failsNamingTheEntry() throws Exception {
        byte[] tar = tar(file("first", "1"), file("second", "z".repeat(5000)));
        LayerException inside = assertThrows(LayerException.class, () -> apply(Arrays.copyOf(tar, 2048)));
        assertTrue(inside.getMessage().contains("second"), inside.getMessage());
        LayerException noEnd = assertThrows(LayerException.class,
                () -> apply(Arrays.copyOf(tar, tar.length - 1024)));
        assertTrue(noEnd.getMessage().contains("end-of-archive"), noEnd.getMessage());
    }

    @Test
    void aCorruptedHeader_fails() throws Exception {
        byte[] tar = tar(file("a", "x"), file("b", "y"));
        tar[1024 + 10] ^= 1;
        LayerException e = assertThrows(LayerException.class, () -> apply(tar));
        assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains("after entry a"), e.getMessage());
    }

    @Test
    void anOversizePaxHeader_isRefused() throws Exception {
        TarEntry huge = new TarEntry("big", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0,
                Map.of("user.huge", new byte[2 << 20]));
        LayerException e = assertThrows(LayerException.class, () -> apply(tar(huge)));
        assertTrue(e.getMessage().contains("more than the"), e.getMessage());
        assertFalse(Files.exists(root.resolve("big")));
    }

    @Test
    void garbage_isNotATar() throws Exception {
        byte[] junk = "this is not a tar archive at all".repeat(40).getBytes(StandardCharsets.US_ASCII);
        assertThrows(LayerException.class, () -> apply(junk));
        assertThrows(LayerException.class, () -> apply(new byte[0]));
    }

    @Test
    void overlayXattrsInALayer_areNotSet() throws Exception {
        TarEntry planted = new TarEntry("d/", TarEntryType.DIRECTORY, 0755, 0, 0, 0, 0, "", 0, 0,
                Map.of("trusted.overlay.opaque", new byte[] {'y'}, "user.kept", new byte[] {1}));
        ApplyResult result = applier.apply(new ByteArrayInputStream(tar(planted)), root);
        assertFalse(posix.getXattr(root.resolve("d"), "trusted.overlay.opaque").isPresent());
        assertTrue(posix.getXattr(root.resolve("d"), "user.kept").isPresent());
        assertEquals(1, result.warnings().size(), result.warnings().toString());
    }

    @Test
    void withoutRoot_devicesAreSkippedWithAWarning_andOwnersAreLeftAlone() throws Exception {
        PosixFiles unprivileged = new UnprivilegedPosix(posix);
        TarEntry device = new TarEntry("null", TarEntryType.CHAR_DEVICE, 0666, 0, 0, 0, 0, "", 1, 3, Map.of());
        TarEntry owned = new TarEntry("owned", TarEntryType.REGULAR, 0644, 4242, 4243, 0, 0, "", 0, 0, Map.of());
        ApplyResult result = new LayerApplier(unprivileged).apply(new ByteArrayInputStream(tar(device, owned)), root);
        assertEquals(1, result.warnings().size());
        assertTrue(result.warnings().get(0).contains("null") && result.warnings().get(0).contains("root"),
                result.warnings().get(0));
        assertFalse(Files.exists(root.resolve("null"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(posix.effectiveUid(), (Integer) Files.getAttribute(root.resolve("owned"), "unix:uid"));
        assertEquals(2, result.entries());
    }

    @Test
    void manyFilesOfAllSizes_getTheirContentModeOwnerAndTime() throws Exception {
        // More files than one batch of the background writer holds, and files larger than its buffers: content is
        // cut across buffers and must still land in order, each file with its own metadata.
        java.util.Random random = new java.util.Random(7);
        List<Object> items = new java.util.ArrayList<>();
        items.add(dir("many"));
        Map<String, byte[]> contents = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 700; i++) {
            int size = i % 100 == 0 ? (1 << 20) * 2 + random.nextInt(1 << 20) : random.nextInt(i % 3 == 0 ? 40_000 : 300);
            byte[] content = new byte[size];
            random.nextBytes(content);
            String name = "many/f" + i;
            contents.put(name, content);
            int mode = i % 2 == 0 ? 0640 : 04755;
            items.add(new Item(new TarEntry(name, TarEntryType.REGULAR, mode, 1000 + i, 2000 + i, size,
                    1_500_000_000L + i, "", 0, 0, Map.of()), content));
        }
        ApplyResult result = applier.apply(new ByteArrayInputStream(tar(items.toArray())), root);
        assertEquals(contents.values().stream().mapToLong(c -> c.length).sum(), result.contentBytes());
        int i = 0;
        for (Map.Entry<String, byte[]> e : contents.entrySet()) {
            Path file = root.resolve(e.getKey());
            assertTrue(Arrays.equals(e.getValue(), Files.readAllBytes(file)), e.getKey());
            assertEquals(i % 2 == 0 ? 0640 : 04755, (Integer) Files.getAttribute(file, "unix:mode") & 07777, e.getKey());
            assertEquals(1_500_000_000L + i, Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis() / 1000);
            if (posix.effectiveUid() == 0) {
                assertEquals(1000 + i, (Integer) Files.getAttribute(file, "unix:uid"), e.getKey());
                assertEquals(2000 + i, (Integer) Files.getAttribute(file, "unix:gid"), e.getKey());
            }
            i++;
        }
    }

    @Test
    void manyDirectories_getTheirOwnerModeAndTimeAfterTheirChildren() throws Exception {
        // Enough directories for their metadata to be set on two threads (as root), nested and with children.
        List<Object> items = new java.util.ArrayList<>();
        int[] modes = {0755, 0700, 02775, 0555};
        for (int i = 0; i < 400; i++) {
            String name = (i % 4 == 0 ? "" : "top" + (i - i % 4) + "/") + "top" + i;
            items.add(new Item(new TarEntry(name + "/", TarEntryType.DIRECTORY, modes[i % 4], 100 + i, 200 + i, 0,
                    1_400_000_000L + i, "", 0, 0, Map.of()), new byte[0]));
            items.add(file(name + "/child", "c" + i));
        }
        apply(tar(items.toArray()));
        for (int i = 0; i < 400; i++) {
            Path dir = root.resolve((i % 4 == 0 ? "" : "top" + (i - i % 4) + "/") + "top" + i);
            assertEquals("c" + i, Files.readString(dir.resolve("child")));
            assertEquals(modes[i % 4], (Integer) Files.getAttribute(dir, "unix:mode") & 07777, dir.toString());
            assertEquals(1_400_000_000L + i, Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toMillis() / 1000,
                    dir.toString());
            if (posix.effectiveUid() == 0) {
                assertEquals(100 + i, (Integer) Files.getAttribute(dir, "unix:uid"), dir.toString());
                assertEquals(200 + i, (Integer) Files.getAttribute(dir, "unix:gid"), dir.toString());
            }
        }
    }

    @Test
    void entriesOfTheApplyingUser_endWithTheirOwnerAlsoUnderASetgidRootOrAfterAnEarlierChown() throws Exception {
        // A fresh tree skips chowning entries to the owner they are created with; that must not hold when the root
        // is setgid (new entries take its group) nor for a directory an earlier entry gave another owner.
        List<Object> items = new java.util.ArrayList<>();
        items.add(new Item(new TarEntry("d/", TarEntryType.DIRECTORY, 0755, 7, 8, 0, 1_600_000_000L, "", 0, 0,
                Map.of("user.kept", new byte[] {1})), new byte[0]));
        items.add(dir("d"));
        items.add(dir("e"));
        items.add(file("d/f", "f"));
        for (int i = 0; i < 20; i++) {
            items.add(file("e/g" + i, "g"));
        }
        apply(tar(items.toArray()));
        assertEquals("g", Files.readString(root.resolve("e/g19")));
        if (posix.effectiveUid() != 0) {
            return; // Owners are only set as root.
        }
        for (String name : List.of("d", "d/f", "e", "e/g19")) {
            assertEquals(0, (Integer) Files.getAttribute(root.resolve(name), "unix:uid"), name);
            assertEquals(0, (Integer) Files.getAttribute(root.resolve(name), "unix:gid"), name);
        }

        Path setgid = Files.createDirectory(tmp.resolve("setgid"));
        posix.lchown(setgid, 0, 4321);
        posix.chmod(setgid, 02755);
        applier.apply(new ByteArrayInputStream(tar(items.toArray())), setgid);
        for (String name : List.of("d", "d/f", "e", "e/g0", "e/g19")) {
            assertEquals(0, (Integer) Files.getAttribute(setgid.resolve(name), "unix:gid"), name);
        }
    }

    @Test
    void inAFreshTree_noFileIsChownedToTheOwnerItWasCreatedWith_theFirstOneNeither() throws Exception {
        if (posix.effectiveUid() != 0) {
            return; // Owners are only set as root.
        }
        // The first regular file is created on the applier's thread, the others on the writer's: both skip the
        // chown when the entry's owner is the one new entries get (root's, learnt from the first directory).
        AtomicInteger fileChowns = new AtomicInteger();
        PosixFiles counting = new DelegatingPosixFiles(posix) {
            @Override
            public dev.wharf.layers.posix.PosixStat lstat(Path path) throws LayerException {
                return real.lstat(path); // without it the applier cannot tell that the tree is fresh
            }

            @Override
            public dev.wharf.layers.posix.NewFile createFile(Path path, int mode) throws LayerException {
                dev.wharf.layers.posix.NewFile file = real.createFile(path, mode);
                return new dev.wharf.layers.posix.NewFile() {
                    @Override
                    public void write(byte[] bytes, int offset, int length)
                            throws dev.wharf.layers.posix.PosixCallException {
                        file.write(bytes, offset, length);
                    }

                    @Override
                    public void chown(int uid, int gid) throws dev.wharf.layers.posix.PosixCallException {
                        fileChowns.incrementAndGet();
                        file.chown(uid, gid);
                    }

                    @Override
                    public void chmod(int mode) throws dev.wharf.layers.posix.PosixCallException {
                        file.chmod(mode);
                    }

                    @Override
                    public void setTimes(long epochSeconds, int nanos)
                            throws dev.wharf.layers.posix.PosixCallException {
                        file.setTimes(epochSeconds, nanos);
                    }

                    @Override
                    public void close() throws dev.wharf.layers.posix.PosixCallException {
                        file.close();
                    }
                };
            }
        };
        byte[] layer = tar(dir("a"), file("a/first", "1"), file("a/second", "2"), new Item(new TarEntry("a/third",
                TarEntryType.REGULAR, 0644, 7, 8, 1, 1_600_000_000L, "", 0, 0, Map.of()), new byte[] {'3'}));
        new LayerApplier(counting).apply(new ByteArrayInputStream(layer), root);
        assertEquals(1, fileChowns.get(), "only a/third, owned by 7:8, needs a chown");
        assertEquals(7, (Integer) Files.getAttribute(root.resolve("a/third"), "unix:uid"));
        assertEquals(8, (Integer) Files.getAttribute(root.resolve("a/third"), "unix:gid"));
        for (String name : List.of("a/first", "a/second")) {
            assertEquals(0, (Integer) Files.getAttribute(root.resolve(name), "unix:uid"), name);
            assertEquals(0, (Integer) Files.getAttribute(root.resolve(name), "unix:gid"), name);
        }
    }

    @Test
    void entriesRightAfterFilesStillBeingWritten_seeThemAsTheLayerLeftThem() throws Exception {
        // Each case follows large files, so the files they touch are likely still queued on the writing thread when
        // the applier's thread reaches them: a hard link to one, a duplicate of one, a whiteout of one, a directory
        // replacing one, a file under one (not a directory), and a symlink replacing a directory full of them.
        byte[] big = new byte[3 << 20];
        new java.util.Random(3).nextBytes(big);
        TarEntry bigEntry = new TarEntry("x", TarEntryType.REGULAR, 0644, 0, 0, big.length, 1_600_000_000L, "", 0, 0,
                Map.of());
        List<Object> items = new java.util.ArrayList<>();
        for (String name : List.of("linked", "dup", "gone", "becomes-dir")) {
            items.add(new Item(new TarEntry("big-" + name, TarEntryType.REGULAR, 0644, 0, 0, big.length,
                    1_600_000_000L, "", 0, 0, Map.of()), big));
            items.add(file(name, name));
        }
        items.add(hardlink("link", "linked"));
        items.add(file("dup", "second"));
        items.add(file(".wh.gone", ""));
        items.add(dir("becomes-dir"));
        items.add(file("becomes-dir/child", "child"));
        items.add(dir("d"));
        items.add(new Item(bigEntry.withName("d/big"), big));
        items.add(file("d/small", "small"));
        items.add(symlink("d", outside.toString()));
        items.add(file("d/through", "contained"));
        apply(tar(items.toArray()));
        assertEquals("linked", Files.readString(root.resolve("link")));
        assertEquals(2, (Integer) Files.getAttribute(root.resolve("linked"), "unix:nlink"));
        assertEquals("second", Files.readString(root.resolve("dup")));
        assertFalse(Files.exists(root.resolve("gone"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("child", Files.readString(root.resolve("becomes-dir/child")));
        assertTrue(Arrays.equals(big, Files.readAllBytes(root.resolve("big-dup"))));
        assertEquals("contained", Files.readString(root.resolve(outside.toString().substring(1)).resolve("through")));
        assertNothingOutside();

        LayerException notADirectory = assertThrows(LayerException.class,
                () -> apply(tar(new Item(bigEntry.withName("big-again"), big), file("plain", "p"),
                        file("plain/under", "u"))));
        assertTrue(notADirectory.getMessage().contains("plain/under")
                && notADirectory.getMessage().contains("not a directory"), notADirectory.getMessage());
    }

    @Test
    void aTarTruncatedInsideALargeFile_failsNamingIt_andLeavesNoDescriptorOpen() throws Exception {
        long before = openDescriptors();
        List<Object> items = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            items.add(file("small" + i, "x".repeat(i)));
        }
        items.add(new Item(new TarEntry("big", TarEntryType.REGULAR, 0644, 0, 0, 3 << 20, 1_600_000_000L, "", 0, 0,
                Map.of()), new byte[3 << 20]));
        byte[] whole = tar(items.toArray());
        byte[] cut = Arrays.copyOf(whole, whole.length - (2 << 20));
        LayerException e = assertThrows(LayerException.class, () -> apply(cut));
        assertTrue(e.getMessage().contains("big") && e.getMessage().contains("truncated"), e.getMessage());
        assertEquals("x".repeat(199), Files.readString(root.resolve("small199")));
        assertEquals(0, before);
        assertEquals(0, openDescriptors());
    }

    @Test
    void aFailedWriteOnTheWritingThread_failsTheApplyNamingTheEntry_andLeavesNoDescriptorOpen() throws Exception {
        long before = openDescriptors();
        PosixFiles failing = new FailingWrites(posix, "bad");
        List<Object> items = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            items.add(file((i == 150 ? "bad" : "ok" + i), "content " + i));
        }
        LayerException e = assertThrows(LayerException.class,
                () -> new LayerApplier(failing).apply(new ByteArrayInputStream(tar(items.toArray())), root));
        assertTrue(e.getMessage().contains("layer entry bad") && e.getMessage().contains("No space"), e.getMessage());
        assertEquals(0, before);
        assertEquals(0, openDescriptors());
    }

    /**
     * Descriptors of this JVM open on files or directories under this test's temporary directory: what a leak of
     * the apply would leave. Counting all of the JVM's descriptors was not stable: class loading opens jars for good
     * and other tests' pools close theirs meanwhile (a full run counted 119 for 117, another 84 for 86).
     */
    private long openDescriptors() throws IOException {
        return openDescriptorsUnder(tmp);
    }

    /** The descriptors of this JVM open on files under {@code dir} (shared with {@link LayerApplierFuzzTest}). */
    static long openDescriptorsUnder(Path dir) throws IOException {
        String under = dir.toRealPath().toString() + "/";
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return (Files.readSymbolicLink(fd) + "/").startsWith(under);
                } catch (IOException e) {
                    return false; // closed while listing (the listing's own descriptor)
                }
            }).count();
        }
    }

    /** The real libc binding whose file writes fail with ENOSPC for files named {@code failOn}. */
    private static final class FailingWrites extends DelegatingPosixFiles {
        private final String failOn;

        FailingWrites(PosixFiles real, String failOn) {
            super(real);
            this.failOn = failOn;
        }

        @Override
        public dev.wharf.layers.posix.NewFile createFile(Path path, int mode) throws LayerException {
            dev.wharf.layers.posix.NewFile file = real.createFile(path, mode);
            if (!path.getFileName().toString().equals(failOn)) {
                return file;
            }
            return new dev.wharf.layers.posix.NewFile() {
                @Override
                public void write(byte[] bytes, int offset, int length)
                        throws dev.wharf.layers.posix.PosixCallException {
                    throw new dev.wharf.layers.posix.PosixCallException("write", path.toString(), 28,
                            "No space left on device");
                }

                @Override
                public void chown(int uid, int gid) throws dev.wharf.layers.posix.PosixCallException {
                    file.chown(uid, gid);
                }

                @Override
                public void chmod(int mode) throws dev.wharf.layers.posix.PosixCallException {
                    file.chmod(mode);
                }

                @Override
                public void setTimes(long epochSeconds, int nanos) throws dev.wharf.layers.posix.PosixCallException {
                    file.setTimes(epochSeconds, nanos);
                }

                @Override
                public void close() throws dev.wharf.layers.posix.PosixCallException {
                    file.close();
                }
            };
        }
    }

    /** The real libc binding, but reporting a non-root user, to exercise the applier's unprivileged path. */
    private static final class UnprivilegedPosix extends DelegatingPosixFiles {
        UnprivilegedPosix(PosixFiles real) {
            super(real);
        }

        @Override
        public void lchown(Path path, int uid, int gid) throws LayerException {
            throw new AssertionError("an unprivileged apply must not chown");
        }

        @Override
        public int effectiveUid() {
            return 1000;
        }
    }

    private void assertNothingOutside() throws IOException {
        try (Stream<Path> list = Files.list(tmp)) {
            assertEquals(List.of("outside", "root"),
                    list.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> list = Files.list(outside)) {
            assertEquals(List.of("secret"), list.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals("secret", Files.readString(outside.resolve("secret")));
    }

    private void apply(byte[] layer) throws IOException {
        applier.apply(new ByteArrayInputStream(layer), root);
    }

    /** A tar entry with its content (for regular files). */
    private record Item(TarEntry entry, byte[] content) {
    }

    private static Item file(String name, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return new Item(new TarEntry(name, TarEntryType.REGULAR, 0644, 0, 0, bytes.length, 1_600_000_000L, "", 0, 0,
                Map.of()), bytes);
    }

    private static Item dir(String name) {
        return entry(name, TarEntryType.DIRECTORY, 0, "", 0755, 1_600_000_000L);
    }

    private static Item symlink(String name, String target) {
        return entry(name, TarEntryType.SYMLINK, 0, target, 0777, 1_600_000_000L);
    }

    private static Item hardlink(String name, String target) {
        return entry(name, TarEntryType.HARDLINK, 0, target, 0644, 1_600_000_000L);
    }

    private static Item entry(String name, TarEntryType type, long size, String link, int mode, long mtime) {
        return new Item(new TarEntry(name, type, mode, 0, 0, size, mtime, link, 0, 0, Map.of()), new byte[0]);
    }

    private static byte[] tar(Object... items) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter writer = new TarWriter(out);
        for (Object o : items) {
            Item item = o instanceof TarEntry e ? new Item(e, new byte[(int) e.size()]) : (Item) o;
            writer.putEntry(item.entry());
            writer.write(item.content(), 0, item.content().length);
        }
        writer.finish();
        return out.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static byte[] zstd(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new ZstdOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }
}
