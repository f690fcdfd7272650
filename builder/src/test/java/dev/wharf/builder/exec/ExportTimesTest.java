package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file times of {@code -o type=local} and {@code -o type=tar} through the real engine, as measured on BuildKit
 * 0.13 (buildx 0.13.1): a COPY keeps its sources' nanoseconds in the snapshot BuildKit exports from, so a directory
 * export has them exactly and a tarball has them rounded to the nearest second (19.76 gives 20, 19.2 gives 19), not
 * truncated as the layer tarballs are; with SOURCE_DATE_EPOCH every file, the base's too, is dated at the epoch.
 */
class ExportTimesTest {
    private static final long SECOND = 1_700_000_019L;

    @TempDir
    Path temp;

    BuildEngine engine;
    Path context;

    @BeforeEach
    void setUp() throws Exception {
        HostRequirements.requireRoot();
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")));
        context = Files.createDirectories(temp.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY up.txt down.txt whole.txt /d/\n");
        date("up.txt", Instant.ofEpochSecond(SECOND, 760_000_000));
        date("down.txt", Instant.ofEpochSecond(SECOND, 200_000_000));
        date("whole.txt", Instant.ofEpochSecond(SECOND));
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    private void date(String name, Instant when) throws Exception {
        Path file = Files.writeString(context.resolve(name), name);
        Files.setLastModifiedTime(file, FileTime.from(when));
    }

    private void build(String type, Path dest, Map<String, String> args) throws Exception {
        engine.build(BuildRequest.builder(context).buildArgs(args).output(new BuildOutput(type, Optional.of(dest)))
                .build()).get(2, TimeUnit.MINUTES);
    }

    private static Instant modified(Path file) throws Exception {
        return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant();
    }

    @Test
    void localExport_keepsTheSnapshotsNanoseconds() throws Exception {
        Path out = temp.resolve("out");
        build("local", out, Map.of());
        assertEquals(Instant.ofEpochSecond(SECOND, 760_000_000), modified(out.resolve("d/up.txt")));
        assertEquals(Instant.ofEpochSecond(SECOND, 200_000_000), modified(out.resolve("d/down.txt")));
        assertEquals(Instant.ofEpochSecond(SECOND), modified(out.resolve("d/whole.txt")));
    }

    @Test
    void tarExport_roundsToTheNearestSecond() throws Exception {
        Path tar = temp.resolve("out.tar");
        build("tar", tar, Map.of());
        Map<String, Long> times = mtimes(Files.readAllBytes(tar));
        assertEquals(SECOND + 1, times.get("d/up.txt"), times.toString());
        assertEquals(SECOND, times.get("d/down.txt"), times.toString());
        assertEquals(SECOND, times.get("d/whole.txt"), times.toString());
    }

    @Test
    void sourceDateEpoch_datesEveryFileAtTheEpoch_inBothExports() throws Exception {
        // Later than every file: clamping (as layers are) would keep their times; BuildKit's exporters set them.
        long epoch = 2_000_000_000L;
        Path out = temp.resolve("out");
        build("local", out, Map.of("SOURCE_DATE_EPOCH", Long.toString(epoch)));
        assertEquals(Instant.ofEpochSecond(epoch), modified(out.resolve("d/up.txt")));
        assertEquals(Instant.ofEpochSecond(epoch), modified(out.resolve("d")));
        Path tar = temp.resolve("out.tar");
        build("tar", tar, Map.of("SOURCE_DATE_EPOCH", Long.toString(epoch)));
        Map<String, Long> times = mtimes(Files.readAllBytes(tar));
        assertEquals(Map.of("d", epoch, "d/up.txt", epoch, "d/down.txt", epoch, "d/whole.txt", epoch), times);
    }

    @Test
    void localExport_intoADirectoryWithOtherFiles_leavesTheirTimesAlone() throws Exception {
        // -o type=local,dest=. into a work tree: BuildKit's receiver merges and touches only what the image has.
        Path out = Files.createDirectories(temp.resolve("tree"));
        Instant old = Instant.ofEpochSecond(1_500_000_000L);
        Path mine = Files.writeString(Files.createDirectories(out.resolve("src")).resolve("Main.java"), "x");
        Path sibling = Files.writeString(Files.createDirectories(out.resolve("d")).resolve("notes.txt"), "y");
        for (Path p : new Path[] {mine, mine.getParent(), sibling}) {
            Files.setLastModifiedTime(p, FileTime.from(old));
        }
        long epoch = 2_000_000_000L;
        build("local", out, Map.of("SOURCE_DATE_EPOCH", Long.toString(epoch)));
        assertEquals(old, modified(mine));
        assertEquals(old, modified(mine.getParent()));
        assertEquals(old, modified(sibling));
        assertEquals(Instant.ofEpochSecond(epoch), modified(out.resolve("d/up.txt")));
    }

    /** Name (without a trailing slash) to mtime of every entry of an uncompressed ustar/PAX tarball. */
    private static Map<String, Long> mtimes(byte[] tar) {
        Map<String, Long> out = new HashMap<>();
        int at = 0;
        while (at + 512 <= tar.length && tar[at] != 0) {
            String name = field(tar, at, 100);
            String prefix = field(tar, at + 345, 155);
            long size = Long.parseLong(field(tar, at + 124, 12).trim(), 8);
            long mtime = Long.parseLong(field(tar, at + 136, 12).trim(), 8);
            char type = (char) tar[at + 156];
            if (type != 'x' && type != 'g') {
                String full = prefix.isEmpty() ? name : prefix + "/" + name;
                out.put(full.replaceAll("^\\./", "").replaceAll("/$", ""), mtime);
            }
            at += 512 + (int) ((size + 511) / 512 * 512);
        }
        return out;
    }

    private static String field(byte[] tar, int offset, int length) {
        int end = offset;
        while (end < offset + length && tar[end] != 0) {
            end++;
        }
        return new String(tar, offset, end - offset, StandardCharsets.UTF_8);
    }
}
