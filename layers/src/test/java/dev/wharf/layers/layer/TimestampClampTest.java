package dev.wharf.layers.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.tar.TarHeader;
import dev.wharf.layers.tar.TarReader;
import dev.wharf.layers.tar.TarTime;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clamp of a layer wharf did not write (a base image's, an imported one's): BuildKit's rewrite reads and writes
 * every header with Go's archive/tar, so names of users and groups, vendor PAX records, xattrs, sub-second times
 * not clamped, the mode's type bits and the format (ustar, PAX, GNU) stay. Each foreign tar under {@code foreign/}
 * comes with the layer Go made of it (see the README there); the clamp must give it byte for byte.
 */
class TimestampClampTest {
    private static final long EPOCH = 1_750_000_000L;

    @TempDir
    Path tmp;

    @Test
    void commonsCompressTarKeepsNamesRecordsAndXattrs() throws Exception {
        byte[] clamped = clampAndCompare("commons-compress");
        List<TarHeader> headers = headers(clamped);
        TarHeader dir = headers.get(0);
        assertEquals("alice", dir.uname());
        assertEquals("staff", dir.gname());
        assertEquals(TarTime.ofSeconds(EPOCH), dir.mtime(), "1800000000 clamped");
        assertEquals(040755, dir.mode(), "the type bits commons-compress writes stay");
        TarHeader later = headers.get(2);
        assertEquals("bob", later.uname());
        assertEquals("kept as it is", later.paxRecords().get("WHARF.note"));
        assertEquals("commons-compress", later.paxRecords().get("SCHILY.xattr.user.origin"));
        assertEquals(TarTime.ofSeconds(1_700_000_000L), later.mtime(), "earlier than the epoch: kept");
    }

    @Test
    void gnuTarPosixKeepsFractionsBelowTheEpochAndClampsAtimeAndCtime() throws Exception {
        byte[] clamped = clampAndCompare("gnu-tar-posix");
        for (TarHeader h : headers(clamped)) {
            assertEquals("builder", h.uname(), h.name());
            assertEquals("devs", h.gname(), h.name());
            if (h.name().endsWith("deep-file-name.txt")) {
                assertEquals(new TarTime(1_500_000_000L, 500_000_000), h.mtime(), "earlier: kept, with its fraction");
            } else {
                assertEquals(TarTime.ofSeconds(EPOCH), h.mtime(), h.name());
            }
            assertEquals(TarTime.ofSeconds(EPOCH), h.ctime(), "ctime is the time of archiving: clamped");
        }
    }

    @Test
    void gnuTarGnuFormatStaysGnu() throws Exception {
        byte[] clamped = clampAndCompare("gnu-tar-gnu");
        List<TarHeader> headers = headers(clamped);
        assertEquals(TarHeader.GNU, headers.get(0).format());
        assertNull(headers.get(0).atime());
        assertEquals("builder", headers.get(0).uname());
        TarHeader link = headers.stream().filter(h -> h.name().endsWith("longsym")).findFirst().orElseThrow();
        assertEquals("../" + "v".repeat(70) + "/" + "w".repeat(60), link.linkName(), "a ././@LongLink target, kept");
    }

    @Test
    void namesFromADotArchiveGetCleanedPaxHeaderNames() throws Exception {
        // tar -C dir . names everything ./...: Go names the PAX block pkg/PaxHeaders.0/one.txt (path.Join cleans).
        byte[] clamped = clampAndCompare("gnu-tar-posix-dot");
        assertEquals(List.of("./", "./pkg/", "./pkg/longsym", "./pkg/one.txt"),
                headers(clamped).stream().map(TarHeader::name).limit(4).toList());
    }

    /** Clamps the foreign tar {@code name} as a stored layer; asserts Go's bytes; returns the clamped tar. */
    private byte[] clampAndCompare(String name) throws Exception {
        FileBlobStore store = FileBlobStore.open(tmp.resolve("blobs"));
        LayerBlob source;
        try (LayerBlobSink sink = LayerBlobSink.open(store, LayerCompression.none(), Runnable::run)) {
            sink.write(resource(name + ".tar"));
            source = sink.finish();
        }
        LayerBlob clamped = TimestampClamp.clamp(store, source, EPOCH);
        byte[] ours;
        try (InputStream in = store.open(clamped.descriptor().digest())) {
            ours = in.readAllBytes();
        }
        byte[] go = resource(name + "-clamped.tar");
        for (int i = 0; i < Math.min(go.length, ours.length); i++) {
            if (go[i] != ours[i]) {
                fail(name + ": first difference at byte " + i + " (block " + i / 512 + ", offset " + i % 512
                        + "): Go has " + (go[i] & 0xff) + ", wharf " + (ours[i] & 0xff));
            }
        }
        assertEquals(go.length, ours.length, name + ": length");
        return ours;
    }

    private static List<TarHeader> headers(byte[] tar) throws IOException {
        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        List<TarHeader> out = new ArrayList<>();
        for (Optional<TarHeader> h = reader.nextHeader(); h.isPresent(); h = reader.nextHeader()) {
            out.add(h.get());
        }
        return out;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = TimestampClampTest.class.getResourceAsStream("foreign/" + name)) {
            if (in == null) {
                throw new IOException("no test resource foreign/" + name);
            }
            return in.readAllBytes();
        }
    }
}
