package dev.wharf.layers.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarWriter;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The choice between wharf's JNI binding and jffi's, and that both report the same things. (PosixFilesTest and the
 * layer tests run once per binding: see layers/pom.xml's jffi-binding execution.)
 */
class JniPosixFilesTest {
    @TempDir
    Path tmp;

    /** Whether this build packaged the JNI library (gcc was there), as CI's always does. */
    private static boolean packaged() {
        return JniPosixFiles.class.getResource(dev.wharf.layers.layout.NativeHelpers.resource(JniPosixFiles.LIBRARY))
                != null;
    }

    @Test
    void system_isTheJniBinding_whenTheLibraryIsPackaged_unlessJnrIsForced() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        if (ci) {
            assertNotNull(JniPosixFiles.class.getResource(
                    dev.wharf.layers.layout.NativeHelpers.resource(JniPosixFiles.LIBRARY)),
                    "CI builds with gcc: the JNI library must be packaged");
        }
        assumeTrue(packaged(), "no JNI library in this build (no gcc): PosixFiles uses jffi");
        if ("jnr".equals(System.getProperty(PosixFiles.BINDING_PROPERTY))) {
            assertInstanceOf(JnrPosixFiles.class, PosixFiles.system());
        } else {
            assertInstanceOf(JniPosixFiles.class, PosixFiles.system());
        }
    }

    @Test
    void bothBindings_failWithTheSameCallPathAndErrno() throws Exception {
        assumeTrue(packaged(), "no JNI library in this build (no gcc)");
        PosixFiles jni = JniPosixFiles.load();
        PosixFiles jnr = JnrPosixFiles.load();
        Path missing = tmp.resolve("missing/file");
        Files.writeString(tmp.resolve("exists"), "x");
        List<ThrowingCall> calls = List.of(
                p -> p.lchown(missing, 0, 0),
                p -> p.setTimes(missing, 1, 2),
                p -> p.lstat(missing),
                p -> p.listDirectory(missing),
                p -> p.openForReading(missing),
                p -> p.createFile(tmp.resolve("exists"), 0644),
                p -> p.symlink("t", tmp.resolve("exists")),
                p -> p.mknod(missing, PosixFiles.S_IFIFO | 0644, 0),
                p -> p.listXattrs(missing),
                p -> p.getXattr(missing, "user.x"),
                p -> p.setXattr(missing, "user.x", new byte[] {1}));
        for (ThrowingCall call : calls) {
            PosixCallException a = assertThrows(PosixCallException.class, () -> call.on(jni));
            PosixCallException b = assertThrows(PosixCallException.class, () -> call.on(jnr));
            assertEquals(b.getMessage(), a.getMessage());
            assertEquals(b.errno(), a.errno());
        }
    }

    @Test
    void bothBindings_readWhatTheOtherWrote() throws Exception {
        assumeTrue(packaged(), "no JNI library in this build (no gcc)");
        PosixFiles jni = JniPosixFiles.load();
        PosixFiles jnr = JnrPosixFiles.load();
        byte[] content = new byte[300_000];
        new java.util.Random(7).nextBytes(content);
        Path file = tmp.resolve("f");
        try (NewFile f = jni.createFile(file, 0640)) {
            f.write(content, 0, content.length);
            f.setTimes(1_600_000_000L, 123);
        }
        assertEquals(jnr.lstat(file), jni.lstat(file));
        byte[] read = new byte[content.length];
        int at = 0;
        try (ReadableFile r = jnr.openForReading(file)) {
            for (int n; (n = r.read(read, at, read.length - at)) > 0; ) {
                at += n;
            }
        }
        assertArrayEquals(content, read);
        assertEquals(jnr.listDirectory(tmp), jni.listDirectory(tmp));
        assertEquals(jnr.effectiveUid(), jni.effectiveUid());
    }

    /**
     * The JNI read goes straight into the array: a file larger than the C side's old 64 KiB stack chunk lands at the
     * offset asked, every byte around it untouched, and the end reads as -1.
     */
    @Test
    void jniRead_fillsTheArrayAtItsOffset_andNothingAround() throws Exception {
        assumeTrue(packaged(), "no JNI library in this build (no gcc)");
        PosixFiles jni = JniPosixFiles.load();
        byte[] content = new byte[200_000];
        new java.util.Random(11).nextBytes(content);
        Path file = Files.write(tmp.resolve("big"), content);
        byte[] into = new byte[content.length + 2_000];
        java.util.Arrays.fill(into, (byte) 0x5a);
        int at = 1_000;
        try (ReadableFile r = jni.openForReading(file)) {
            for (int n; at < 1_000 + content.length && (n = r.read(into, at, 1_000 + content.length - at)) > 0; ) {
                at += n;
            }
            assertEquals(-1, r.read(into, 0, 1));
        }
        assertEquals(1_000 + content.length, at);
        assertArrayEquals(content, java.util.Arrays.copyOfRange(into, 1_000, 1_000 + content.length));
        for (int i : new int[] {0, 999, into.length - 1_000, into.length - 1}) {
            assertEquals((byte) 0x5a, into[i], "byte " + i + " outside the read");
        }
    }

    @Test
    void ustarHeader_formatsTheBytesOfTarWritersJava_orDeclines() throws Exception {
        assumeTrue(packaged(), "no JNI library in this build (no gcc)");
        PosixFiles jni = JniPosixFiles.load();
        List<TarEntry> entries = new ArrayList<>();
        // Names of every length up to past ustar's 256 bytes, with slashes where the prefix split can and cannot go.
        for (int length = 0; length <= 262; length++) {
            for (int slashEvery : new int[] {0, 7, 50, 99, 100, 101, 155, 156}) {
                StringBuilder name = new StringBuilder();
                for (int i = 0; i < length; i++) {
                    name.append(slashEvery > 0 && i % (slashEvery + 1) == slashEvery ? '/' : (char) ('a' + i % 26));
                }
                entries.add(entry(name.toString(), TarEntryType.REGULAR, ""));
                entries.add(entry(name.toString(), TarEntryType.DIRECTORY, ""));
            }
        }
        for (String name : List.of("dir/", "a//b", "/abs", "caf\u00e9", "del\u007f", "tab\tx", "nul\u0000x",
                "\u007e~", "\ud83d\ude00", "x".repeat(99) + "/")) {
            for (TarEntryType type : TarEntryType.values()) {
                entries.add(entry(name, type, type == TarEntryType.SYMLINK || type == TarEntryType.HARDLINK
                        ? "target" : ""));
            }
        }
        for (String link : List.of("t".repeat(99), "t".repeat(100), "t".repeat(101), "caf\u00e9", "a\u007f", "")) {
            entries.add(entry("l", TarEntryType.SYMLINK, link));
            entries.add(entry("h", TarEntryType.HARDLINK, link));
        }
        long max7 = 07777777L;
        long max11 = 077777777777L;
        for (long n : new long[] {0, 1, max7, max7 + 1, max11, max11 + 1, Long.MAX_VALUE}) {
            entries.add(new TarEntry("u", TarEntryType.REGULAR, 04755, n, 0, 0, 0, "", 0, 0, Map.of()));
            entries.add(new TarEntry("g", TarEntryType.REGULAR, 01777, 0, n, 0, 0, "", 0, 0, Map.of()));
            entries.add(new TarEntry("s", TarEntryType.REGULAR, 0644, 0, 0, n, 0, "", 0, 0, Map.of()));
            entries.add(new TarEntry("m", TarEntryType.REGULAR, 0644, 0, 0, 0, n, "", 0, 0, Map.of()));
            entries.add(new TarEntry("m", TarEntryType.REGULAR, 0644, 0, 0, 0, -n, "", 0, 0, Map.of()));
            entries.add(new TarEntry("c", TarEntryType.CHAR_DEVICE, 0666, 0, 0, 0, 0, "", n, 3, Map.of()));
            entries.add(new TarEntry("b", TarEntryType.BLOCK_DEVICE, 0660, 0, 0, 0, 0, "", 7, n, Map.of()));
            entries.add(new TarEntry("f", TarEntryType.FIFO, 0620, 0, 0, 0, 0, "", n, n, Map.of()));
        }
        entries.add(new TarEntry("x", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0,
                Map.of("user.a", new byte[] {1, 2})));
        int nativelyFormatted = 0;
        for (TarEntry e : entries) {
            String java = header(e, null);
            String both = header(e, jni::ustarHeader);
            assertEquals(java, both, "header of " + e);
            if (jni.ustarHeader(e.name(), e.type().flag(), e.mode(), e.uid(), e.gid(), e.size(), e.mtime(),
                    e.linkName(), e.devMajor(), e.devMinor(), new byte[512])) {
                nativelyFormatted++;
            }
        }
        // Most of them fit ustar and were formatted natively; the rest went through TarWriter's PAX path.
        assertTrue(nativelyFormatted > entries.size() / 2, nativelyFormatted + " of " + entries.size());
        assertTrue(nativelyFormatted < entries.size(), nativelyFormatted + " of " + entries.size());
    }

    private static TarEntry entry(String name, TarEntryType type, String link) {
        return new TarEntry(name, type, 0755, 1000, 1001, 0, 1_700_000_000L, link,
                type == TarEntryType.CHAR_DEVICE ? 1 : 0, type == TarEntryType.BLOCK_DEVICE ? 300 : 0, Map.of());
    }

    /** The bytes putEntry writes (hex), or the failure it throws. */
    private static String header(TarEntry entry, TarWriter.HeaderFormatter formatter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new TarWriter(out, formatter).putEntry(entry);
        } catch (Exception e) {
            return e.toString();
        }
        return java.util.HexFormat.of().formatHex(out.toByteArray());
    }

    /** One call of a binding. */
    private interface ThrowingCall {
        void on(PosixFiles posix) throws Exception;
    }
}
