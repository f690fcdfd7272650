package dev.wharf.layers.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.testing.PeerTools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarCodecTest {
    @TempDir
    Path tmp;

    private static final String LONG_NAME = "dir-" + "a".repeat(120) + "/sub-" + "b".repeat(120) + "/file-"
            + "c".repeat(80);
    private static final byte[] BINARY = {1, 0, 0, 2, (byte) 0x80, (byte) 0xff, 0, '\n', '='};

    private static List<TarEntry> sampleEntries() {
        return List.of(
                new TarEntry("dir/", TarEntryType.DIRECTORY, 0755, 0, 0, 0, 1_600_000_000L, "", 0, 0, Map.of()),
                new TarEntry("dir/file", TarEntryType.REGULAR, 04755, 1000, 1001, 5, 1_600_000_001L, "", 0, 0,
                        Map.of("security.capability", BINARY, "user.text", "v".getBytes())),
                new TarEntry(LONG_NAME, TarEntryType.REGULAR, 0600, 3_000_000, 4_000_000, 3, -5L, "", 0, 0, Map.of()),
                new TarEntry("ustar-split/" + "p".repeat(130) + "/n", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0,
                        0, Map.of()),
                new TarEntry("h\u00e9llo", TarEntryType.SYMLINK, 0777, 0, 0, 0, 1, "t\u00fc/" + "x".repeat(120), 0, 0,
                        Map.of()),
                new TarEntry("hard", TarEntryType.HARDLINK, 0755, 1000, 1001, 0, 2, "dir/file", 0, 0, Map.of()),
                new TarEntry("null", TarEntryType.CHAR_DEVICE, 0666, 0, 0, 0, 3, "", 1, 3, Map.of()),
                new TarEntry("sda", TarEntryType.BLOCK_DEVICE, 0660, 0, 6, 0, 4, "", 8, 1_048_575, Map.of()),
                new TarEntry("fifo", TarEntryType.FIFO, 0644, 0, 0, 0, 5, "", 0, 0, Map.of()));
    }

    private static byte[] write(List<TarEntry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter writer = new TarWriter(out);
        for (TarEntry e : entries) {
            writer.putEntry(e);
            byte[] content = "x".repeat((int) e.size()).getBytes(StandardCharsets.US_ASCII);
            writer.write(content, 0, content.length);
        }
        writer.finish();
        return out.toByteArray();
    }

    private static List<TarEntry> read(byte[] tar) throws IOException {
        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        List<TarEntry> out = new ArrayList<>();
        Optional<TarEntry> e;
        while ((e = reader.next()).isPresent()) {
            out.add(e.get());
        }
        return out;
    }

    @Test
    void entriesSurviveARoundTrip_includingBinaryXattrsLongNamesAndLargeIds() throws Exception {
        List<TarEntry> written = sampleEntries();
        List<TarEntry> back = read(write(written));
        assertEquals(written.size(), back.size());
        for (int i = 0; i < written.size(); i++) {
            assertTrue(written.get(i).sameAs(back.get(i)), written.get(i) + " vs " + back.get(i));
        }
    }

    @Test
    void output_isDeterministic_withEmptyUserNamesAndNoPaxWhereUstarFits() throws Exception {
        byte[] one = write(sampleEntries());
        assertArrayEquals(one, write(sampleEntries()));
        assertEquals('5', (char) one[156], "the first entry (dir/) needs no PAX header");
        assertEquals("ustar\u000000", new String(one, 257, 8, StandardCharsets.US_ASCII));
        assertEquals(0, one[265], "uname is empty");
        assertEquals(0, one[297], "gname is empty");
        assertEquals(0, one.length % 512);
        for (int i = one.length - 1024; i < one.length; i++) {
            assertEquals(0, one[i], "ends with two zero blocks");
        }
        byte[] split = write(List.of(sampleEntries().get(3)));
        assertEquals('0', (char) split[156], "a long ASCII name that fits prefix+name needs no PAX header");
    }

    @Test
    void commonsCompressReadsTheOutput() throws Exception {
        List<TarEntry> written = sampleEntries();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(write(written)))) {
            for (TarEntry expected : written) {
                TarArchiveEntry actual = in.getNextEntry();
                String name = expected.name();
                assertEquals(name, actual.getName());
                assertEquals(expected.size(), actual.getSize(), name);
                assertEquals(expected.uid(), actual.getLongUserId(), name);
                assertEquals(expected.gid(), actual.getLongGroupId(), name);
                assertEquals(expected.mode(), actual.getMode() & 07777, name);
                assertEquals(expected.type().flag(), (char) actual.getLinkFlag(), name);
                if (!expected.linkName().isEmpty()) {
                    assertEquals(expected.linkName(), actual.getLinkName(), name);
                }
                if (expected.type() == TarEntryType.BLOCK_DEVICE) {
                    assertEquals(expected.devMinor(), actual.getDevMinor());
                }
                assertArrayEquals("x".repeat((int) expected.size()).getBytes(), in.readAllBytes(), name);
            }
            assertEquals(null, in.getNextEntry());
        }
    }

    @Test
    void gnuTarListsTheOutput() throws Exception {
        Path gnuTar = PeerTools.require("tar");
        Path file = tmp.resolve("t.tar");
        Files.write(file, write(sampleEntries()));
        Process p = new ProcessBuilder(gnuTar.toString(), "-t", "--numeric-owner", "-v", "-f", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains(LONG_NAME), out);
        assertTrue(out.contains("3000000/4000000"), out);
        assertTrue(out.contains("h\u00e9llo -> t\u00fc/"), out);
        assertTrue(out.contains("hard link to dir/file"), out);
    }

    @Test
    void gnuTarArchives_inGnuAndPaxFormat_areRead() throws Exception {
        Path gnuTar = PeerTools.require("tar");
        Path src = Files.createDirectories(tmp.resolve("src/" + "d".repeat(120) + "/" + "e".repeat(120)));
        Files.writeString(src.resolve("f".repeat(100)), "content");
        Files.createSymbolicLink(tmp.resolve("src/link"), Path.of("l".repeat(150)));
        for (String format : List.of("gnu", "pax", "ustar")) {
            Path file = tmp.resolve(format + ".tar");
            Process p = new ProcessBuilder(gnuTar.toString(), "--format=" + format, "-c", "-f", file.toString(),
                    "-C", tmp.resolve("src").toString(), ".").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            int status = p.waitFor();
            if (format.equals("ustar")) {
                // ustar cannot hold these names; GNU tar says so and fails.
                assertTrue(status != 0, out);
                continue;
            }
            assertEquals(0, status, out);
            List<String> names = read(Files.readAllBytes(file)).stream().map(TarEntry::name).toList();
            assertTrue(names.contains("./" + "d".repeat(120) + "/" + "e".repeat(120) + "/" + "f".repeat(100)),
                    format + ": " + names);
            TarEntry link = read(Files.readAllBytes(file)).stream().filter(e -> e.name().equals("./link"))
                    .findFirst().orElseThrow();
            assertEquals("l".repeat(150), link.linkName(), format);
        }
    }

    @Test
    void filesOf8GiBAndMore_getAPaxSize() throws Exception {
        long size = 8L << 30;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TarWriter(out).putEntry(new TarEntry("huge", TarEntryType.REGULAR, 0644, 0, 0, size, 0, "", 0, 0,
                Map.of()));
        byte[] header = out.toByteArray();
        assertEquals('x', (char) header[156]);
        assertTrue(new String(header, 512, 512, StandardCharsets.US_ASCII).contains("size=" + size));
        TarEntry back = new TarReader(new ByteArrayInputStream(header)).next().orElseThrow();
        assertEquals(size, back.size());
    }

    @Test
    void theEndOfArchive_mustBeMarked() throws Exception {
        byte[] tar = write(List.of(new TarEntry("f", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0, Map.of())));
        assertEquals(1, read(java.util.Arrays.copyOf(tar, tar.length - 512)).size(), "one zero block is enough");
        LayerException none = assertThrows(LayerException.class,
                () -> read(java.util.Arrays.copyOf(tar, tar.length - 1024)));
        assertTrue(none.getMessage().contains("end-of-archive"), none.getMessage());
        byte[] junkAfterZero = tar.clone();
        junkAfterZero[tar.length - 500] = 1;
        LayerException junk = assertThrows(LayerException.class, () -> read(junkAfterZero));
        assertTrue(junk.getMessage().contains("zero block"), junk.getMessage());
    }

    @Test
    void base256Numbers_areRead() throws Exception {
        byte[] tar = write(List.of(new TarEntry("f", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0, Map.of())));
        // uid field (offset 108, 8 bytes) as GNU base-256: 0x80 marker then big-endian 5,000,000.
        long uid = 5_000_000L;
        tar[108] = (byte) 0x80;
        for (int i = 7; i >= 1; i--) {
            tar[108 + i] = (byte) (uid >>> (8 * (7 - i)));
        }
        fixChecksum(tar, 0);
        assertEquals(uid, read(tar).get(0).uid());
    }

    @Test
    void unsupportedTypes_andMalformedPax_areRefusedNamingTheEntry() throws Exception {
        byte[] tar = write(List.of(new TarEntry("sparse", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0,
                Map.of())));
        tar[156] = 'S';
        fixChecksum(tar, 0);
        LayerException e = assertThrows(LayerException.class, () -> read(tar));
        assertTrue(e.getMessage().contains("sparse") && e.getMessage().contains("'S'"), e.getMessage());

        byte[] pax = write(List.of(new TarEntry("x", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0,
                Map.of("user.a", new byte[] {1}))));
        assertEquals('x', (char) pax[156]);
        pax[512] = '9';
        assertThrows(LayerException.class, () -> read(pax));
    }

    /** Seen in LayerApplierFuzzTest's messages: a malformed PAX record did not say where in the archive it was. */
    @Test
    void aMalformedPaxRecord_namesTheEntryBeforeIt() throws Exception {
        byte[] tar = write(List.of(new TarEntry("first", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0, Map.of()),
                new TarEntry("x", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0, Map.of("user.a", new byte[] {1}))));
        assertEquals('x', (char) tar[512 + 156]);
        tar[1024] = '9';
        LayerException e = assertThrows(LayerException.class, () -> read(tar));
        assertTrue(e.getMessage().contains("malformed PAX record") && e.getMessage().endsWith("(after entry first)"),
                e.getMessage());
        byte[] wrapping = tar.clone();
        byte[] huge = "9223372036854775807".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(huge, 0, wrapping, 1024, huge.length);
        assertThrows(LayerException.class, () -> read(wrapping));
    }

    /** Found by LayerApplierFuzzTest: the archive used to end silently, without the entry and without an error. */
    @Test
    void aPaxHeaderOrGnuLongNameThatNoEntryFollows_isAnError() throws Exception {
        byte[] pax = write(List.of(new TarEntry("x", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0,
                Map.of("user.a", new byte[] {1}))));
        assertEquals('x', (char) pax[156]);
        // the PAX header and its data block, then the end-of-archive blocks: the entry header is gone
        byte[] danglingPax = new byte[4 * 512];
        System.arraycopy(pax, 0, danglingPax, 0, 1024);
        LayerException p = assertThrows(LayerException.class, () -> read(danglingPax));
        assertTrue(p.getMessage().contains("PAX extended header without the entry"), p.getMessage());

        byte[] danglingLongName = new byte[4 * 512];
        byte[] header = "././@LongLink".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(header, 0, danglingLongName, 0, header.length);
        System.arraycopy("00000000010\0".getBytes(StandardCharsets.US_ASCII), 0, danglingLongName, 124, 12);
        danglingLongName[156] = 'L';
        System.arraycopy("ustar  \0".getBytes(StandardCharsets.US_ASCII), 0, danglingLongName, 257, 8);
        fixChecksum(danglingLongName, 0);
        System.arraycopy("long/name".getBytes(StandardCharsets.US_ASCII), 0, danglingLongName, 512, 9);
        LayerException l = assertThrows(LayerException.class, () -> read(danglingLongName));
        assertTrue(l.getMessage().contains("GNU long name without the entry"), l.getMessage());
    }

    @Test
    void contentThatDoesNotMatchTheHeaderSize_isAnError() throws Exception {
        TarWriter writer = new TarWriter(new ByteArrayOutputStream());
        writer.putEntry(new TarEntry("f", TarEntryType.REGULAR, 0644, 0, 0, 3, 0, "", 0, 0, Map.of()));
        writer.write(new byte[2], 0, 2);
        LayerException shrank = assertThrows(LayerException.class, writer::finish);
        assertTrue(shrank.getMessage().contains("shrank"), shrank.getMessage());
        TarWriter other = new TarWriter(new ByteArrayOutputStream());
        other.putEntry(new TarEntry("g", TarEntryType.REGULAR, 0644, 0, 0, 1, 0, "", 0, 0, Map.of()));
        assertThrows(LayerException.class, () -> other.write(new byte[2], 0, 2));
    }

    private static void fixChecksum(byte[] tar, int offset) {
        for (int i = 148; i < 156; i++) {
            tar[offset + i] = ' ';
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[offset + i] & 0xff;
        }
        byte[] digits = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, tar, offset + 148, 6);
        tar[offset + 154] = 0;
    }

    /**
     * PAX record blocks and the ustar fields beside them as Go's archive/tar writes them (the layers of dockerd 26's
     * BuildKit: {@code opt/PaxHeaders.0/longlink} and {@code opt/PaxHeaders.0/n} before {@code opt/n} for
     * {@code opt/ünï}): the block named {@code DIR/PaxHeaders.0/FILE} in ASCII with mode, owner and mtime 0 and
     * no device fields; the entry's own name and link fields the ASCII of the value, cut to 100 bytes.
     */
    @Test
    void paxBlocksAndTheFieldsBesideThem_areGosBytes() throws Exception {
        byte[] tar = write(List.of(
                new TarEntry("opt/longlink", TarEntryType.SYMLINK, 0777, 0, 0, 0, 1, "t".repeat(110), 0, 0, Map.of()),
                new TarEntry("opt/\u00fcn\u00ef", TarEntryType.REGULAR, 0644, 0, 0, 0, 1, "", 0, 0, Map.of()),
                new TarEntry("d".repeat(120), TarEntryType.DIRECTORY, 0755, 0, 0, 0, 1, "", 0, 0, Map.of()),
                new TarEntry("\u00e9" + "a".repeat(98) + "//x", TarEntryType.REGULAR, 0644, 0, 0, 0, 1, "", 0, 0,
                        Map.of())));
        List<String> blocks = new ArrayList<>();
        for (int off = 0; off + 512 <= tar.length; off += 512) {
            blocks.add(new String(tar, off, 512, StandardCharsets.ISO_8859_1));
        }
        // x, its records, the link; x, records, the file; x, records, the directory; x, records, the file
        String x1 = blocks.get(0);
        assertEquals("opt/PaxHeaders.0/longlink", field(x1, 0, 100));
        assertEquals(List.of("0000000\0", "0000000\0", "0000000\0", "00000000000\0", "x", "ustar\u000000"),
                List.of(x1.substring(100, 108), x1.substring(108, 116), x1.substring(116, 124),
                        x1.substring(136, 148), x1.substring(156, 157), x1.substring(257, 265)));
        assertEquals("\0".repeat(345 - 265), x1.substring(265, 345), "no user, group or device fields");
        assertEquals("t".repeat(100), blocks.get(2).substring(157, 257));
        assertEquals("opt/PaxHeaders.0/n", field(blocks.get(3), 0, 100));
        assertEquals("opt/n", field(blocks.get(5), 0, 100));
        assertEquals(("d".repeat(120) + "/PaxHeaders.0").substring(0, 100), field(blocks.get(6), 0, 100),
                "a directory's block is named inside it, cut to 100 bytes");
        assertEquals("d".repeat(100), blocks.get(8).substring(0, 100));
        // A cut ending in slashes: a NUL over the first of them, the rest left (Go's formatString).
        assertEquals("a".repeat(98) + "\0/", blocks.get(11).substring(0, 100));
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        }
        assertEquals(List.of("opt/longlink", "opt/\u00fcn\u00ef", "d".repeat(120) + "/",
                "\u00e9" + "a".repeat(98) + "//x"), names, "another reader takes the PAX names");
    }

    private static String field(String block, int from, int to) {
        String f = block.substring(from, to);
        int nul = f.indexOf('\0');
        return nul < 0 ? f : f.substring(0, nul);
    }
}
