package dev.wharf.context.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import dev.wharf.context.ContextException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.testing.FuzzOutcomes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Context tarballs ({@code docker build - < ctx.tar[.gz|.bz2|.xz|.zst]}) truncated, bit-flipped or with garbage
 * appended, in every format the context accepts: each opens or fails with a {@link ContextException} (the decompressors
 * of commons-compress and xz included: nothing unchecked escapes), and leaves nothing beside its work directory.
 * Input {@code i} comes from seed {@code base + i}; {@code -Dwharf.fuzz.context.iterations=N} (default 600) and
 * {@code -Dwharf.fuzz.seed=S} tune it.
 */
class TarContextFuzzTest {
    @TempDir
    Path tmp;

    @Test
    void damagedContextArchivesOpenOrFailWithAContextException() throws Exception {
        int iterations = Integer.getInteger("wharf.fuzz.context.iterations", 600);
        long base = Long.getLong("wharf.fuzz.seed", 0xC7EL);
        byte[] tar = sampleTar();
        List<byte[]> seeds = List.of(tar, gzip(tar), bzip2(tar), xz(tar), zstd(tar));
        Path work = Files.createDirectory(tmp.resolve("work"));
        FuzzOutcomes outcomes = new FuzzOutcomes(ContextException.class);
        for (int i = 0; i < iterations; i++) {
            long seed = base + i;
            Random rnd = new Random(seed);
            int codec = rnd.nextInt(seeds.size());
            byte[] input = mutate(seeds.get(codec), rnd);
            BuildContextSource source = TarContextSource.stream(new ByteArrayInputStream(input), work,
                    PosixFiles.system());
            outcomes.attempt(seed, () -> "codec " + codec + ", " + input.length + " bytes", () -> {
                try (var opened = source.open()) {
                    assertTrue(Files.isDirectory(opened.root()), "seed " + seed);
                }
            });
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of("work"), left.map(p -> p.getFileName().toString()).toList(), "seed " + seed);
            }
        }
        System.out.println("context archive fuzz: " + iterations + " inputs (seed " + base + "), " + outcomes);
        outcomes.assertOnlyExpectedOutcomes();
    }

    private static byte[] mutate(byte[] in, Random rnd) {
        byte[] b = in.clone();
        switch (rnd.nextInt(3)) {
            case 0 -> {
                return Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            case 1 -> {
                for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            default -> {
                byte[] longer = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(700));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) rnd.nextInt(256);
                }
                return longer;
            }
        }
    }

    private static byte[] sampleTar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            String[] names = {"Dockerfile", "src/", "src/" + "long".repeat(40), "src/a.txt", "big"};
            for (String name : names) {
                byte[] data = name.endsWith("/") ? new byte[0]
                        : name.equals("big") ? "0123456789".repeat(3000).getBytes(StandardCharsets.US_ASCII)
                        : ("FROM scratch\nCOPY . /\n" + name).getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(name);
                // fixed: TarArchiveEntry takes the current time and user, which made the inputs differ run to run
                e.setModTime(1_600_000_000_000L);
                e.setUserName("");
                e.setGroupName("");
                e.setSize(data.length);
                out.putArchiveEntry(e);
                out.write(data);
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        return compress(data, GZIPOutputStream::new);
    }

    private static byte[] bzip2(byte[] data) throws IOException {
        return compress(data, BZip2CompressorOutputStream::new);
    }

    private static byte[] xz(byte[] data) throws IOException {
        return compress(data, XZCompressorOutputStream::new);
    }

    private static byte[] zstd(byte[] data) throws IOException {
        return compress(data, ZstdOutputStream::new);
    }

    private interface Codec {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    private static byte[] compress(byte[] data, Codec codec) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = codec.wrap(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }
}
