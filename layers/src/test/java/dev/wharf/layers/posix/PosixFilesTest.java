package dev.wharf.layers.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.testing.RootOnly;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixFilesTest {
    @TempDir
    Path tmp;

    private final PosixFiles posix;

    PosixFilesTest() throws Exception {
        posix = PosixFiles.system();
    }

    @Test
    void jffisStub_isUnpackedOnceIntoAPrivateCache_andLoadedFromThere() throws Exception {
        JnrPosixFiles.load().effectiveUid(); // the JNI binding, the default, never starts jffi
        Path dir = JffiStubCache.cachedStubDirectory().orElseThrow();
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions
                .toString(Files.getPosixFilePermissions(dir)));
        Path stub;
        try (var files = Files.list(dir)) {
            stub = files.filter(f -> f.getFileName().toString().matches("libjffi-[0-9.]+\\.so")).findFirst()
                    .orElseThrow();
        }
        FileTime written = Files.getLastModifiedTime(stub);
        assertEquals(dir, JffiStubCache.cachedStubDirectory().orElseThrow());
        assertEquals(written, Files.getLastModifiedTime(stub), "a cached stub is not written again");
        // The jffi binding pointed jffi there before its first native call.
        assertEquals(dir.toString(), System.getProperty("jffi.boot.library.path"));
        assertTrue(Files.readString(Path.of("/proc/self/maps")).contains(stub.toString()),
                "jffi runs the cached stub, not a temp copy");
    }

    @Test
    void aDescriptorClosedTwice_isClosedOnce_neverTheFileThatWasGivenItsNumberSince() throws Exception {
        ReadableFile first = posix.openForReading(Files.writeString(tmp.resolve("a"), "a"));
        first.close();
        // The kernel hands out the lowest free number: most likely the one first had.
        try (ReadableFile second = posix.openForReading(Files.writeString(tmp.resolve("b"), "bbb"))) {
            first.close();
            byte[] read = new byte[3];
            assertEquals(3, second.read(read, 0, 3), "second's descriptor is still open");
            assertArrayEquals("bbb".getBytes(java.nio.charset.StandardCharsets.US_ASCII), read);
        }
        NewFile created = posix.createFile(tmp.resolve("c"), 0600);
        created.close();
        created.close(); // no EBADF from a second close(2)
        assertTrue(Files.isRegularFile(tmp.resolve("c")));
    }

    @Test
    void chmod_setsEveryPermissionBit_andReportsErrno() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        posix.chmod(dir, 03751);
        assertEquals(03751, (int) Files.getAttribute(dir, "unix:mode") & 07777);
        PosixCallException e = assertThrows(PosixCallException.class, () -> posix.chmod(tmp.resolve("missing"), 0644));
        assertEquals(PosixCallException.ENOENT, e.errno());
    }

    @Test
    void createFile_writesContentOwnerModeAndTimeThroughItsDescriptor() throws Exception {
        Path file = tmp.resolve("f");
        byte[] content = new byte[700_000];
        new java.util.Random(3).nextBytes(content);
        try (NewFile f = posix.createFile(file, 0600)) {
            f.write(content, 0, 100);
            f.write(content, 100, content.length - 100);
            if (posix.effectiveUid() == 0) {
                f.chown(1234, 5678);
            }
            f.chmod(04751);
            f.setTimes(1_000_000_000L, 0);
        }
        assertArrayEquals(content, Files.readAllBytes(file));
        assertEquals(04751, (int) Files.getAttribute(file, "unix:mode") & 07777);
        assertEquals(FileTime.fromMillis(1_000_000_000_000L), Files.getLastModifiedTime(file));
        if (posix.effectiveUid() == 0) {
            assertEquals(List.of(1234, 5678), List.of(Files.getAttribute(file, "unix:uid"),
                    Files.getAttribute(file, "unix:gid")));
        }
    }

    @Test
    void createFile_neverOpensAnExistingNameNorFollowsASymlink() throws Exception {
        Path existing = Files.writeString(tmp.resolve("existing"), "keep");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("missing-target"));
        for (Path p : List.of(existing, link)) {
            PosixCallException e = assertThrows(PosixCallException.class, () -> posix.createFile(p, 0644));
            assertEquals(PosixCallException.EEXIST, e.errno(), e.getMessage());
        }
        assertEquals("keep", Files.readString(existing));
        assertTrue(Files.notExists(tmp.resolve("missing-target")));
    }

    @Test
    void openForReading_refusesAFifoOrADevice_atOnce_namingThePath() throws Exception {
        // A FIFO swapped in after the scan would block the open (no writer) or the read (no data), and the JNI read
        // blocks holding a pinned array: refused after open, before any read. The timeout only guards against a hang.
        Path fifo = tmp.resolve("fifo");
        posix.mknod(fifo, PosixFiles.S_IFIFO | 0644, 0);
        dev.wharf.layers.LayerException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> assertThrows(dev.wharf.layers.LayerException.class, () -> posix.openForReading(fifo)));
        assertEquals("cannot read " + fifo + ": it is a FIFO, not a regular file (it was one when the tree was "
                + "scanned; reading it could block)", e.getMessage());
        dev.wharf.layers.LayerException device = assertThrows(dev.wharf.layers.LayerException.class,
                () -> posix.openForReading(Path.of("/dev/null")));
        assertTrue(device.getMessage().startsWith("cannot read /dev/null: it is a character device"),
                device.getMessage());
    }

    @Test
    void openForReading_readsTheWholeContentInPieces_andEndsWithMinusOne() throws Exception {
        Path file = tmp.resolve("big");
        byte[] content = new byte[700_000];
        new java.util.Random(5).nextBytes(content);
        Files.write(file, content);
        java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[300_000];
        try (ReadableFile in = posix.openForReading(file)) {
            assertEquals(0, in.read(buffer, 0, 0));
            int n;
            while ((n = in.read(buffer, 7, buffer.length - 7)) >= 0) {
                assertTrue(n > 0);
                read.write(buffer, 7, n);
            }
            assertEquals(-1, in.read(buffer, 0, 1), "still at the end");
        }
        assertArrayEquals(content, read.toByteArray());
        try (ReadableFile in = posix.openForReading(Files.createFile(tmp.resolve("empty")))) {
            assertEquals(-1, in.read(buffer, 0, buffer.length));
        }
    }

    @Test
    void copyFrom_appendsTheRestOfAnOpenFile_andCountsItsBytes() throws Exception {
        Path source = tmp.resolve("source");
        byte[] content = new byte[700_000]; // several of the C side's 64 KiB chunks
        new java.util.Random(7).nextBytes(content);
        Files.write(source, content);
        Path copy = tmp.resolve("copy");
        try (NewFile out = posix.createFile(copy, 0600); ReadableFile in = posix.openForReading(source)) {
            out.write(content, 0, 10);
            byte[] skipped = new byte[10];
            assertEquals(10, in.read(skipped, 0, 10));
            assertEquals(content.length - 10, out.copyFrom(in, new byte[4096]));
            assertEquals(0, out.copyFrom(in, new byte[4096]), "nothing is left at the end");
        }
        assertArrayEquals(content, Files.readAllBytes(copy));
        try (NewFile out = posix.createFile(tmp.resolve("empty-copy"), 0600);
             ReadableFile in = posix.openForReading(Files.createFile(tmp.resolve("empty")))) {
            assertEquals(0, out.copyFrom(in, new byte[16]));
        }
    }

    @Test
    void stat_ofAnOpenFile_describesTheFileRead_evenAfterItsPathIsReplaced() throws Exception {
        Path file = Files.writeString(tmp.resolve("conf"), "a=1\n");
        PosixStat before = posix.lstat(file);
        try (ReadableFile in = posix.openForReading(file)) {
            Path replacement = Files.writeString(tmp.resolve("new"), "a=22\n");
            Files.move(replacement, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            PosixStat open = in.stat();
            // The unlink by the rename changes the old file's link count and ctime, nothing else.
            assertEquals(List.of(before.inode(), before.size(), before.mtimeNanos(), before.mode()),
                    List.of(open.inode(), open.size(), open.mtimeNanos(), open.mode()),
                    "the open file's stat, not the new file's");
            assertEquals(0, open.nlink());
            assertEquals(5, posix.lstat(file).size());
        }
    }

    @Test
    void openForReading_neverFollowsASymlink_andReportsAMissingFile() throws Exception {
        Path target = Files.writeString(tmp.resolve("target"), "secret");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        PosixCallException e = assertThrows(PosixCallException.class, () -> posix.openForReading(link));
        assertEquals(40, e.errno(), "ELOOP: O_NOFOLLOW refuses a symlink");
        e = assertThrows(PosixCallException.class, () -> posix.openForReading(tmp.resolve("missing")));
        assertEquals(PosixCallException.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void listDirectory_givesEveryNameButDotAndDotDot_alsoNonAsciiAndMany() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        java.util.Set<String> expected = new java.util.HashSet<>();
        // More names than one getdents64 call returns (256 KiB of records): the listing goes on.
        for (int i = 0; i < 3000; i++) {
            String name = "file-with-a-rather-long-name-to-fill-the-buffer-of-one-getdents64-call-".repeat(2) + i;
            Files.createFile(dir.resolve(name));
            expected.add(name);
        }
        for (String name : List.of("é-ü", ".hidden", "..x", "sub")) {
            Files.createDirectory(dir.resolve(name));
            expected.add(name);
        }
        Files.createSymbolicLink(dir.resolve("link"), tmp.resolve("nowhere"));
        expected.add("link");
        List<String> names = posix.listDirectory(dir);
        assertEquals(expected.size(), names.size());
        assertEquals(expected, new java.util.HashSet<>(names));
        assertEquals(List.of(), posix.listDirectory(dir.resolve("sub")));
        PosixCallException e = assertThrows(PosixCallException.class,
                () -> posix.listDirectory(dir.resolve("missing")));
        assertEquals(PosixCallException.ENOENT, e.errno());
        Path file = dir.resolve(names.stream().filter(n -> n.startsWith("file-")).findFirst().orElseThrow());
        e = assertThrows(PosixCallException.class, () -> posix.listDirectory(file));
        assertEquals(20, e.errno(), "ENOTDIR");
    }

    @Test
    void listDirectory_leavesADirectoryWithANameInvalidInTheFileNameCharsetToJavaNio() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        // A name with a byte that is not UTF-8 (made by the shell: a Java string cannot name it).
        Process touch = new ProcessBuilder("sh", "-c", "touch \"$(printf 'bad\\377name')\"")
                .directory(dir.toFile()).inheritIO().start();
        assertEquals(0, touch.waitFor());
        assertThrows(UnsupportedOperationException.class, () -> posix.listDirectory(dir));
    }

    @Test
    void deviceNumbers_splitAndJoinLikeGlibc() {
        long[][] cases = {{0, 0}, {1, 3}, {8, 17}, {259, 1_048_575}, {4095, 255}, {4096, 256}, {123_456, 7_654_321}};
        for (long[] c : cases) {
            long dev = DeviceNumbers.makedev(c[0], c[1]);
            assertEquals(c[0], DeviceNumbers.major(dev), "major of " + c[0] + ":" + c[1]);
            assertEquals(c[1], DeviceNumbers.minor(dev), "minor of " + c[0] + ":" + c[1]);
        }
        assertEquals(0x103L, DeviceNumbers.makedev(1, 3));
        assertEquals(0x0000_1000_0000_0000L, DeviceNumbers.makedev(0x1000, 0));
    }

    @Test
    void lstat_agreesWithJavaNioForEveryKindOfEntry() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "twelve bytes");
        Files.createLink(tmp.resolve("second-link"), file);
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_234_567_890_123L));
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), Path.of("no/such/target"));
        posix.mknod(tmp.resolve("fifo"), PosixFiles.S_IFIFO | 0640, 0);
        for (Path p : new Path[] {file, dir, link, tmp.resolve("fifo"), Path.of("/dev/null")}) {
            var a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            PosixStat st = posix.lstat(p);
            assertEquals(a.get("dev"), st.device(), p + " dev");
            assertEquals(a.get("ino"), st.inode(), p + " ino");
            assertEquals(a.get("mode"), st.mode(), p + " mode");
            assertEquals(a.get("nlink"), st.nlink(), p + " nlink");
            assertEquals(a.get("uid"), st.uid(), p + " uid");
            assertEquals(a.get("gid"), st.gid(), p + " gid");
            assertEquals(a.get("rdev"), st.rdev(), p + " rdev");
            assertEquals(a.get("size"), st.size(), p + " size");
            assertEquals(((FileTime) a.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.NANOSECONDS),
                    st.mtimeNanos(), p + " mtime");
            assertEquals(((FileTime) a.get("ctime")).to(java.util.concurrent.TimeUnit.NANOSECONDS),
                    st.ctimeNanos(), p + " ctime");
        }
        assertEquals(2, posix.lstat(file).nlink());
        assertEquals(1_234_567_890_123_000_000L, posix.lstat(file).mtimeNanos());
        PosixCallException missing = assertThrows(PosixCallException.class,
                () -> posix.lstat(tmp.resolve("missing")));
        assertEquals(PosixCallException.ENOENT, missing.errno());
    }

    @Test
    void lexists_isTrueForAnythingThere_danglingSymlinksIncluded_andFalseWithoutAnExceptionForMisses()
            throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), Path.of("no/such/target"));
        posix.mknod(tmp.resolve("fifo"), PosixFiles.S_IFIFO | 0640, 0);
        PosixFiles jnr = JnrPosixFiles.load();
        for (PosixFiles binding : new PosixFiles[] {posix, jnr}) {
            for (Path p : new Path[] {file, dir, dangling, tmp.resolve("fifo")}) {
                assertTrue(binding.lexists(p), binding + " " + p);
            }
            assertFalse(binding.lexists(tmp.resolve("missing")), binding + " missing");
            // ENOTDIR: a prefix is a regular file.
            assertFalse(binding.lexists(file.resolve("below")), binding + " below a file");
        }
    }

    @Test
    void deviceNumbers_agreeWithTheKernelForDevNull() throws Exception {
        long rdev = (Long) Files.getAttribute(Path.of("/dev/null"), "unix:rdev");
        assertEquals(1, DeviceNumbers.major(rdev));
        assertEquals(3, DeviceNumbers.minor(rdev));
    }

    @Test
    void xattrs_canBeSetListedAndRead_withBinaryValues() throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        byte[] value = {0, (byte) 0xff, (byte) 0x80, 10};
        posix.setXattr(file, "user.binary", value);
        posix.setXattr(file, "user.text", "hi".getBytes());
        assertTrue(posix.listXattrs(file).containsAll(java.util.List.of("user.binary", "user.text")));
        assertArrayEquals(value, posix.getXattr(file, "user.binary").orElseThrow());
        assertEquals(Optional.empty(), posix.getXattr(file, "user.missing"));
    }

    @Test
    void failures_carryErrnoAndPath() {
        Path missing = tmp.resolve("missing");
        PosixCallException e = assertThrows(PosixCallException.class,
                () -> posix.setXattr(missing, "user.x", new byte[] {1}));
        assertEquals(2, e.errno());
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("lsetxattr"),
                e.getMessage());
    }

    @Test
    void symlinkCalls_actOnTheLinkNotItsTarget() throws Exception {
        RootOnly.require(posix.effectiveUid() == 0, "root (for lchown and trusted xattrs)");
        Path target = Files.writeString(tmp.resolve("target"), "t");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        FileTime targetTime = Files.getLastModifiedTime(target);
        posix.lchown(link, 4321, 4322);
        posix.setTimes(link, 1_000_000L, 5);
        posix.setXattr(link, "trusted.mark", new byte[] {7});
        assertEquals(4321, Files.getAttribute(link, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(0, Files.getAttribute(target, "unix:uid"));
        assertEquals(FileTime.fromMillis(1_000_000_000L).toInstant().plusNanos(5),
                Files.getLastModifiedTime(link, LinkOption.NOFOLLOW_LINKS).toInstant());
        assertEquals(targetTime, Files.getLastModifiedTime(target));
        assertArrayEquals(new byte[] {7}, posix.getXattr(link, "trusted.mark").orElseThrow());
        assertEquals(Optional.empty(), posix.getXattr(target, "trusted.mark"));
    }

    @Test
    void mknod_makesFifosAndDevices() throws Exception {
        Path fifo = tmp.resolve("fifo");
        posix.mknod(fifo, PosixFiles.S_IFIFO | 0600, 0);
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class).isOther());
        RootOnly.require(posix.effectiveUid() == 0, "root (for mknod of devices)");
        Path dev = tmp.resolve("dev");
        posix.mknod(dev, PosixFiles.S_IFCHR | 0600, DeviceNumbers.makedev(10, 200));
        long rdev = (Long) Files.getAttribute(dev, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        assertEquals(10, DeviceNumbers.major(rdev));
        assertEquals(200, DeviceNumbers.minor(rdev));
        assertEquals(0020000, (Integer) Files.getAttribute(dev, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000);
    }
}
