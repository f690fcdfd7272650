package dev.wharf.layers.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.layout.FileTrees;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarWriter;
import dev.wharf.layers.testing.FuzzOutcomes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applies seeded random corruptions of small real layers (plain, gzip and zstd; truncations, bit flips, header fields
 * overwritten with checksums fixed so the damage reaches past the checksum check, PAX records and GNU long names
 * mangled): each apply either succeeds or fails with a {@link LayerException}, never writes outside its root, and
 * leaves no descriptor or thread behind. Input {@code i} comes from seed {@code base + i}; a failure prints it.
 * {@code -Dwharf.fuzz.tar.iterations=N} (default 1500) and {@code -Dwharf.fuzz.seed=S} tune it.
 */
class LayerApplierFuzzTest {
    private static final int BLOCK = 512;

    @TempDir
    Path tmp;

    @Test
    void corruptedLayersEitherApplyOrFailWithALayerException_andNeverEscapeTheRoot() throws Exception {
        int iterations = Integer.getInteger("wharf.fuzz.tar.iterations", 1500);
        long base = Long.getLong("wharf.fuzz.seed", 0x7A25L);
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        byte[] plain = sampleLayer();
        List<byte[]> seeds = List.of(plain, LayerApplierTest.gzip(plain), LayerApplierTest.zstd(plain));
        LayerApplier applier = new LayerApplier(PosixFiles.system());
        long fdsBefore = openDescriptors();
        int threadsBefore = Thread.activeCount();
        FuzzOutcomes outcomes = new FuzzOutcomes(LayerException.class);
        for (int i = 0; i < iterations; i++) {
            long seed = base + i;
            Random rnd = new Random(seed);
            int which = rnd.nextInt(seeds.size());
            byte[] input = which == 0 ? mutateTar(plain, rnd) : mutateBytes(seeds.get(which), rnd);
            Path root = Files.createDirectory(tmp.resolve("root"));
            outcomes.attempt(seed, () -> describe(input),
                    () -> applier.apply(new ByteArrayInputStream(input), root));
            try (Stream<Path> left = Files.list(outside)) {
                assertEquals(List.of(), left.toList(), "seed " + seed + " wrote outside the root");
            }
            try (Stream<Path> top = Files.list(tmp)) {
                assertEquals(List.of("outside", "root"), top.map(p -> p.getFileName().toString()).sorted().toList(),
                        "seed " + seed + " wrote beside the root");
            }
            FileTrees.delete(root);
        }
        System.out.println("layer applier fuzz: " + iterations + " inputs (seed " + base + "), " + outcomes);
        outcomes.assertOnlyExpectedOutcomes();
        assertEquals(fdsBefore, openDescriptors(), "descriptors left open under " + tmp);
        assertTrue(Thread.activeCount() <= threadsBefore + 1, "threads left behind: " + Thread.activeCount());
    }

    /**
     * Hand-made extremes: a 20,000-level path, a 70 KB symlink target, a 300-link symlink chain, hard links to
     * themselves, to a directory and through a symlink that climbs, a file under a file, odd whiteouts, huge xattrs.
     */
    @Test
    void pathologicalEntriesApplyOrFailWithALayerException() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        String deep = "d/".repeat(20_000) + "f";
        List<List<TarEntry>> layers = new ArrayList<>();
        layers.add(List.of(entry(deep, TarEntryType.REGULAR, 0, "", Map.of())));
        layers.add(List.of(entry("a/" + "x".repeat(300) + "/f", TarEntryType.REGULAR, 0, "", Map.of())));
        layers.add(List.of(entry("s", TarEntryType.SYMLINK, 0, "x".repeat(70_000), Map.of())));
        List<TarEntry> links = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            links.add(entry("l" + i, TarEntryType.SYMLINK, 0, "l" + (i + 1) + "/", Map.of()));
        }
        links.add(entry("l0/f", TarEntryType.REGULAR, 0, "", Map.of()));
        layers.add(links);
        layers.add(List.of(entry("h", TarEntryType.HARDLINK, 0, "h", Map.of())));
        layers.add(List.of(entry("d/", TarEntryType.DIRECTORY, 0, "", Map.of()),
                entry("h", TarEntryType.HARDLINK, 0, "d", Map.of())));
        layers.add(List.of(entry("up", TarEntryType.SYMLINK, 0, "../../../..", Map.of()),
                entry("h", TarEntryType.HARDLINK, 0, "up/outside/x", Map.of()),
                entry("up/outside/y", TarEntryType.REGULAR, 0, "", Map.of())));
        layers.add(List.of(entry("f", TarEntryType.REGULAR, 0, "", Map.of()),
                entry("f/g", TarEntryType.REGULAR, 0, "", Map.of())));
        layers.add(List.of(entry(".wh.." + "/x", TarEntryType.REGULAR, 0, "", Map.of()),
                entry("a/.wh." + "x".repeat(300), TarEntryType.REGULAR, 0, "", Map.of())));
        layers.add(List.of(entry("x", TarEntryType.REGULAR, 0, "", Map.of("user." + "k".repeat(300), new byte[70_000],
                "bad" + NUL_MARK + "name", new byte[1]))));
        LayerApplier applier = new LayerApplier(PosixFiles.system());
        long fdsBefore = openDescriptors();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TarWriter w = new TarWriter(out);
            for (TarEntry e : layers.get(i)) {
                put(w, e, new byte[(int) e.size()]);
            }
            w.finish();
            byte[] layer = withNuls(out.toByteArray());
            Path root = Files.createDirectory(tmp.resolve("root"));
            try {
                applier.apply(new ByteArrayInputStream(layer), root);
            } catch (LayerException expected) {
                assertFalse(expected.getMessage().isBlank());
            } catch (Throwable t) {
                failures.add("layer " + i + " threw " + t + " at " + Arrays.toString(Arrays.copyOf(t.getStackTrace(),
                        Math.min(4, t.getStackTrace().length))));
            }
            try (Stream<Path> left = Files.list(outside)) {
                assertEquals(List.of(), left.toList(), "layer " + i + " wrote outside the root");
            }
            FileTrees.delete(root);
        }
        if (!failures.isEmpty()) {
            fail(String.join("\n", failures));
        }
        assertEquals(fdsBefore, openDescriptors(), "descriptors left open under " + tmp);
    }

    /**
     * Stands for a NUL in an xattr name: the writer refuses such a record as Go's does (no BuildKit layer has one),
     * so the layer gets it afterwards, in place (the record's length stays).
     */
    private static final char NUL_MARK = '\u0001';

    private static byte[] withNuls(byte[] tar) {
        byte[] b = tar.clone();
        byte[] marked = ("bad" + NUL_MARK + "name").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i + marked.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + marked.length, marked, 0, marked.length)) {
                b[i + 3] = 0;
            }
        }
        return b;
    }

    /** A small layer with every kind of entry the mutations can damage. */
    private static byte[] sampleLayer() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        put(w, entry("d/", TarEntryType.DIRECTORY, 0, "", Map.of()), new byte[0]);
        put(w, entry("d/file", TarEntryType.REGULAR, 700, "", Map.of()), "x".repeat(700).getBytes());
        put(w, entry("d/" + "long".repeat(40), TarEntryType.REGULAR, 3, "", Map.of()), "abc".getBytes());
        put(w, entry("d/link", TarEntryType.SYMLINK, 0, "../" + "t".repeat(120), Map.of()), new byte[0]);
        put(w, entry("d/hard", TarEntryType.HARDLINK, 0, "d/file", Map.of()), new byte[0]);
        put(w, entry("d/x", TarEntryType.REGULAR, 1, "", Map.of("user.a", new byte[] {0, 1, 2})), new byte[] {9});
        put(w, entry("d/.wh.gone", TarEntryType.REGULAR, 0, "", Map.of()), new byte[0]);
        put(w, entry("d/fifo", TarEntryType.FIFO, 0, "", Map.of()), new byte[0]);
        put(w, entry("e/", TarEntryType.DIRECTORY, 0, "", Map.of()), new byte[0]);
        put(w, entry("e/big", TarEntryType.REGULAR, 5000, "", Map.of()), new byte[5000]);
        w.finish();
        return out.toByteArray();
    }

    private static TarEntry entry(String name, TarEntryType type, long size, String link, Map<String, byte[]> x) {
        int mode = type == TarEntryType.DIRECTORY ? 0755 : 0644;
        return new TarEntry(name, type, mode, 0, 0, size, 1_600_000_000L, link, 0, 0, x);
    }

    private static void put(TarWriter w, TarEntry e, byte[] content) throws IOException {
        w.putEntry(e);
        w.write(content, 0, content.length);
    }

    private static final String[] NAMES = {"../../outside/x", "/../outside/y", "..", "a/../../outside/z", "d/link/q",
        "d/link/../../outside/w", ".wh..wh..opq", "d/.wh.", "\u0000", "a\u0000b", "./", "", "//", "d/file/below"};
    private static final String[] PAX = {"path", "linkpath", "size", "uid", "gid", "mtime", "GNU.sparse.map",
        "SCHILY.xattr.", "SCHILY.xattr.user.b"};

    /** Structure-aware damage to a plain tar: header fields rewritten (checksum fixed or not), records cut. */
    private static byte[] mutateTar(byte[] tar, Random rnd) throws IOException {
        byte[] b = tar.clone();
        int headers = b.length / BLOCK;
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            int h = rnd.nextInt(headers) * BLOCK;
            switch (rnd.nextInt(9)) {
                case 0 -> { // name
                    writeField(b, h, 0, 100, NAMES[rnd.nextInt(NAMES.length)]);
                    fixChecksum(b, h);
                }
                case 1 -> { // size: octal garbage, huge, base-256 negative or huge
                    byte[] field = switch (rnd.nextInt(4)) {
                        case 0 -> octal(rnd.nextInt(100_000), 12);
                        case 1 -> "77777777777\0".getBytes(StandardCharsets.US_ASCII);
                        case 2 -> base256(rnd.nextBoolean() ? -1 - rnd.nextInt(1000) : Long.MAX_VALUE, 12);
                        default -> randomBytes(rnd, 12);
                    };
                    System.arraycopy(field, 0, b, h + 124, 12);
                    fixChecksum(b, h);
                }
                case 2 -> { // type
                    b[h + 156] = "0123456789xgLKSMVDA\0".getBytes(StandardCharsets.ISO_8859_1)[rnd.nextInt(20)];
                    fixChecksum(b, h);
                }
                case 3 -> { // link name
                    writeField(b, h, 157, 100, NAMES[rnd.nextInt(NAMES.length)]);
                    fixChecksum(b, h);
                }
                case 4 -> { // checksum broken
                    b[h + 148 + rnd.nextInt(8)] ^= (byte) (1 << rnd.nextInt(8));
                }
                case 5 -> { // bit flip anywhere (maybe checksum fixed)
                    int at = rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                    if (rnd.nextBoolean()) {
                        fixChecksum(b, at / BLOCK * BLOCK);
                    }
                }
                case 6 -> { // truncate
                    return java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
                }
                case 7 -> { // insert a PAX header or GNU long name before header h (maybe nothing after it)
                    return insertSpecial(b, h, rnd);
                }
                default -> { // mode, uid, gid, mtime, devmajor as garbage
                    int[][] fields = {{100, 8}, {108, 8}, {116, 8}, {136, 12}, {329, 8}, {337, 8}};
                    int[] f = fields[rnd.nextInt(fields.length)];
                    byte[] v = rnd.nextBoolean() ? randomBytes(rnd, f[1]) : base256(rnd.nextLong(), f[1]);
                    System.arraycopy(v, 0, b, h + f[0], f[1]);
                    fixChecksum(b, h);
                }
            }
        }
        return b;
    }

    private static byte[] insertSpecial(byte[] tar, int at, Random rnd) throws IOException {
        byte[] data;
        char type = rnd.nextBoolean() ? 'x' : (rnd.nextBoolean() ? 'L' : 'K');
        if (type == 'x') {
            String key = PAX[rnd.nextInt(PAX.length)];
            String value = rnd.nextBoolean() ? NAMES[rnd.nextInt(NAMES.length)] : String.valueOf(rnd.nextLong());
            String record = " " + key + "=" + value + "\n";
            long len = record.length() + String.valueOf(record.length() + 2).length();
            String lenText = switch (rnd.nextInt(5)) {
                case 0 -> String.valueOf(len + rnd.nextInt(7) - 3);
                case 1 -> String.valueOf(Long.MAX_VALUE - rnd.nextInt(3));
                case 2 -> "-" + len;
                case 3 -> "x";
                default -> String.valueOf(len);
            };
            data = ("20 path=d/prefixed\n" + lenText + record).getBytes(StandardCharsets.UTF_8);
        } else {
            data = (NAMES[rnd.nextInt(NAMES.length)] + "\0").getBytes(StandardCharsets.UTF_8);
        }
        byte[] header = new byte[BLOCK];
        writeField(header, 0, 0, 100, "././@Special");
        System.arraycopy(octal(0644, 8), 0, header, 100, 8);
        System.arraycopy(octal(data.length, 12), 0, header, 124, 12);
        header[156] = (byte) type;
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 8);
        fixChecksum(header, 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // at the end-of-archive blocks too: a special header that no entry follows
        int where = rnd.nextInt(4) == 0 ? tar.length - 2 * BLOCK : at;
        out.write(tar, 0, where);
        out.write(header);
        out.write(data);
        out.write(new byte[(BLOCK - data.length % BLOCK) % BLOCK]);
        out.write(tar, where, tar.length - where);
        return out.toByteArray();
    }

    /** Damage to a compressed layer: truncation, bit flips, garbage appended. */
    private static byte[] mutateBytes(byte[] in, Random rnd) {
        byte[] b = in.clone();
        switch (rnd.nextInt(3)) {
            case 0 -> {
                return java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            case 1 -> {
                for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            default -> {
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + rnd.nextInt(600));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) rnd.nextInt(256);
                }
                return longer;
            }
        }
    }

    private static void writeField(byte[] b, int h, int offset, int width, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        java.util.Arrays.fill(b, h + offset, h + offset + width, (byte) 0);
        System.arraycopy(v, 0, b, h + offset, Math.min(width, v.length));
    }

    private static byte[] octal(long value, int width) {
        String s = String.format("%0" + (width - 1) + "o", value);
        byte[] out = new byte[width];
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, out, 0, width - 1);
        return out;
    }

    private static byte[] base256(long value, int width) {
        byte[] out = new byte[width];
        for (int i = width - 1; i >= 1; i--) {
            out[i] = (byte) value;
            value >>= 8;
        }
        out[0] = (byte) (0x80 | (value < 0 ? 0x40 : 0) | (value & 0x3f));
        return out;
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static void fixChecksum(byte[] b, int h) {
        if (h + BLOCK > b.length) {
            return;
        }
        java.util.Arrays.fill(b, h + 148, h + 156, (byte) ' ');
        long sum = 0;
        for (int i = h; i < h + BLOCK; i++) {
            sum += b[i] & 0xff;
        }
        byte[] v = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(v, 0, b, h + 148, 8);
    }

    private static String describe(byte[] input) {
        return input.length + " bytes: " + HexFormat.of().formatHex(input, 0, Math.min(input.length, 2048));
    }

    private long openDescriptors() throws IOException {
        return LayerApplierTest.openDescriptorsUnder(tmp);
    }
}
