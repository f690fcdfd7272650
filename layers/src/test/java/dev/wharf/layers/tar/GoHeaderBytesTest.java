package dev.wharf.layers.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.layers.posix.PosixFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Pins TarWriter's header bytes to those of Go's {@code archive/tar} as containerd's differ drives it ({@code
 * Format: PAX}, whole seconds, no user names): the archives under {@code go/} were written by Go 1.19's writer with
 * {@code headers.go.txt} beside them (Go's writer has not changed in these points since 1.10, which BuildKit 0.13's
 * Go 1.21 shares). Each case writes the same entry and must give the same archive, byte for byte.
 */
class GoHeaderBytesTest {
    private static final long MTIME = 1_700_000_000L;
    private static final String SPLITTABLE = "d".repeat(60) + "/" + "e".repeat(60) + "/file.txt";
    private static final byte[] CAPABILITY = {1, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    private static TarEntry file(String name, int mode, long uid, long gid, Map<String, byte[]> xattrs) {
        return new TarEntry(name, TarEntryType.REGULAR, mode, uid, gid, 3, MTIME, "", 0, 0, xattrs);
    }

    @Test
    void longSplittableNameWithAnXattrGoesWholeIntoAPathRecord() throws IOException {
        byte[] tar = assertSameAsGo("long-split-xattr.tar",
                file(SPLITTABLE, 0644, 0, 0, Map.of("security.capability", CAPABILITY)));
        // What the bytes say: a PAX header, then a main header with the name's first 100 bytes and no prefix.
        assertEquals('x', tar[156]);
        assertEquals(0, tar[1024 + 345], "no ustar prefix once PAX is written");
        assertTrue(new String(tar, 512, 512, java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains(" path=" + SPLITTABLE + "\n"));
    }

    @Test
    void longSplittableNameAloneStillSplits() throws IOException {
        byte[] tar = assertSameAsGo("long-split.tar", file(SPLITTABLE, 0644, 0, 0, Map.of()));
        assertEquals('0', tar[156], "no PAX header");
    }

    @Test
    void longUnsplittableName() throws IOException {
        assertSameAsGo("long-unsplittable.tar", file("a".repeat(150), 0644, 0, 0, Map.of()));
    }

    @Test
    void longSplittableNameWithABigUidGoesIntoAPathRecord() throws IOException {
        assertSameAsGo("long-split-big-uid.tar", file(SPLITTABLE, 0600, 3_000_000, 3_000_001, Map.of()));
    }

    @Test
    void longLinkTarget() throws IOException {
        assertSameAsGo("long-link.tar", new TarEntry("lnk", TarEntryType.SYMLINK, 0777, 0, 0, 0, MTIME,
                "../" + "t".repeat(60) + "/" + "u".repeat(60), 0, 0, Map.of()));
    }

    @Test
    void nonAsciiName() throws IOException {
        assertSameAsGo("non-ascii.tar", file("dir/na\u00efve-\u00fcn\u00efcode.txt", 0644, 0, 0, Map.of()));
    }

    @Test
    void longDirectoryWithAnXattrNamesItsPaxHeaderInsideIt() throws IOException {
        assertSameAsGo("long-dir-xattr.tar", new TarEntry(SPLITTABLE, TarEntryType.DIRECTORY, 0755, 0, 0, 0, MTIME,
                "", 0, 0, Map.of("user.k", "v".getBytes())));
    }

    @Test
    void nameFieldCutAtSlashesGetsANul() throws IOException {
        assertSameAsGo("long-name-slash-cut-xattr.tar",
                file("s".repeat(99) + "//x", 0644, 0, 0, Map.of("user.k", "v".getBytes())));
    }

    @Test
    void readingAndWritingBackGivesGosBytes() throws IOException {
        // BuildKit's rewrite of times reads each header with Go's reader and writes it back: unchanged here.
        for (String name : List.of("long-split-xattr.tar", "long-split.tar", "long-unsplittable.tar",
                "long-split-big-uid.tar", "long-link.tar", "non-ascii.tar", "long-dir-xattr.tar",
                "long-name-slash-cut-xattr.tar")) {
            byte[] go = resource(name);
            TarReader reader = new TarReader(new ByteArrayInputStream(go));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TarWriter writer = new TarWriter(out);
            for (Optional<TarHeader> h = reader.nextHeader(); h.isPresent(); h = reader.nextHeader()) {
                writer.putHeader(h.get());
                byte[] content = reader.content().readAllBytes();
                writer.write(content, 0, content.length);
            }
            writer.finish();
            assertBytes(name + " read and written back", go, out.toByteArray());
        }
    }

    /** Writes {@code entry} and "abc" (regular files) with and without the native formatter; returns the bytes. */
    private static byte[] assertSameAsGo(String resource, TarEntry entry) throws IOException {
        byte[] go = resource(resource);
        List<TarWriter.HeaderFormatter> formatters = new ArrayList<>();
        formatters.add(null);
        nativeFormatter().ifPresent(formatters::add);
        byte[] ours = null;
        for (TarWriter.HeaderFormatter f : formatters) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TarWriter writer = new TarWriter(out, f);
            writer.putEntry(entry);
            if (entry.size() > 0) {
                writer.write("abc".getBytes(), 0, 3);
            }
            writer.finish();
            ours = out.toByteArray();
            assertBytes(resource + (f == null ? "" : " (native formatter)"), go, ours);
        }
        return ours;
    }

    private static Optional<TarWriter.HeaderFormatter> nativeFormatter() {
        PosixFiles posix;
        try {
            posix = PosixFiles.system();
            posix.ustarHeader("", '0', 0, 0, 0, 0, 0, "", 0, 0, new byte[512]);
        } catch (dev.wharf.layers.LayerException | UnsupportedOperationException | UnsatisfiedLinkError e) {
            return Optional.empty();
        }
        return Optional.of(posix::ustarHeader);
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = GoHeaderBytesTest.class.getResourceAsStream("go/" + name)) {
            if (in == null) {
                throw new IOException("no test resource go/" + name);
            }
            return in.readAllBytes();
        }
    }

    /** Equal arrays, else a message naming the first difference's block and offset in it. */
    static void assertBytes(String what, byte[] expected, byte[] actual) {
        int n = Math.min(expected.length, actual.length);
        for (int i = 0; i < n; i++) {
            if (expected[i] != actual[i]) {
                fail(what + ": first difference at byte " + i + " (block " + i / 512 + ", offset " + i % 512
                        + "): Go has " + (expected[i] & 0xff) + ", wharf " + (actual[i] & 0xff));
            }
        }
        assertEquals(expected.length, actual.length, what + ": length");
    }
}
