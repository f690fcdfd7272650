package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarReader;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: a build context of 1,000,000 entries (1,000 directories of 999 empty files), 100,000 of them excluded by
 * {@code .dockerignore}, copied whole by {@code COPY . /ctx} in a CLI process whose heap is fixed at 256 MB
 * ({@code -Dwharf.reliability.heap=SIZE} to try another). Must hold: the build succeeds (no OutOfMemoryError: the context snapshot, the checksum, the copy
 * and the layer writer all keep a small constant per entry or less) and the layer holds exactly the 899,100 files
 * and 900 directories that survive the ignore file.
 *
 * <p>Why 256 MB: the context snapshot keeps 77 bytes plus the path per record (about 80 MB for the 900,000 records
 * here, directories counting twice), the checksum cache at most 100,000 digests plus at most as many awaiting
 * persist (some 40 MB), the native directory listing runs up to 64k entries ahead, and the copy and layer
 * writer hold one directory's entries per level; the rest is the JVM's own (buffers, the compression pool). The
 * per-entry objects the same build kept before (snapshot map, entry lists, layer change list) come to over 1 KB per
 * entry by their object layouts: over a gigabyte here.
 */
@Tag("reliability")
class MillionEntryContextReliabilityTest {
    static final String HEAP = "-Xmx" + System.getProperty("wharf.reliability.heap", "256m");
    private static final int DIRS = 1000;
    private static final int FILES_PER_DIR = 999;

    @TempDir
    Path temp;
    Path dir;

    /**
     * The context and the store live on a tmpfs: creating two million inodes (the context, then the COPY's upper
     * directory) on the CI disk's journal costs minutes, on tmpfs seconds; what is under test is the JVM's heap.
     */
    @BeforeEach
    void tmpfs() throws Exception {
        CliHarness.require("root".equals(System.getProperty("user.name")), "root (to mount a tmpfs)");
        dir = Files.createDirectories(temp.resolve("tmpfs"));
        ReliabilityFixture.run("mount", "-t", "tmpfs", "-o", "size=2g,nr_inodes=2500000", "tmpfs", dir.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        if (dir != null) {
            ReliabilityFixture.run("umount", "-l", dir.toString());
        }
    }

    @Test
    void copyOfAMillionEntryContext_succeedsInAFixedHeap_withEveryFileInTheLayer() throws Exception {
        Path root = dir.resolve("store");
        CliHarness.importBusybox(dir, root);
        Path context = Files.createDirectories(dir.resolve("ctx"));
        long started = System.nanoTime();
        generate(context);
        long generated = System.nanoTime();
        Files.writeString(context.resolve(".dockerignore"), "d9*\n.dockerignore\n");
        Path dockerfile = Files.writeString(dir.resolve("Dockerfile"), "FROM busybox:latest\nCOPY . /ctx\n");

        Path log = dir.resolve("build.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), HEAP, "-Xlog:gc:file=" + dir.resolve("gc.log"), "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "build", "--root", root.toString(),
                "--progress", "plain", "-f", dockerfile.toString(), "-t", "million:1", context.toString()));
        Process build = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(build.waitFor(20, TimeUnit.MINUTES), "the build did not finish in 20 minutes");
        long built = System.nanoTime();
        String out = Files.readString(log);
        assertEquals(0, build.exitValue(), out.length() > 4000 ? out.substring(out.length() - 4000) : out);

        long files = 0;
        long dirs = 0;
        LocalStore store = LocalStore.open(root);
        {
            Optional<Descriptor> image = store.images().resolve(ImageName.parse("million:1"));
            assertTrue(image.isPresent(), "million:1 is tagged");
            ImageManifest manifest = store.reader().readManifest(image.get());
            Descriptor layer = manifest.layers().get(manifest.layers().size() - 1);
            // Build layers are stored uncompressed (compressed at push/export); detect rather than assume.
            try (InputStream in = Decompressors.open(new BufferedInputStream(store.blobs().open(layer.digest()),
                    1 << 16))) {
                TarReader tar = new TarReader(in);
                for (Optional<TarEntry> e = tar.next(); e.isPresent(); e = tar.next()) {
                    String name = e.get().name();
                    assertTrue(name.startsWith("ctx/") && !name.startsWith("ctx/d9") && !name.contains(".dockerignore"),
                            name);
                    if (e.get().type() == TarEntryType.REGULAR) {
                        files++;
                    } else if (e.get().type() == TarEntryType.DIRECTORY && !name.equals("ctx/")) {
                        dirs++;
                    }
                }
            }
        }
        assertEquals((DIRS - 100) * (long) FILES_PER_DIR, files, "files in the COPY layer");
        assertEquals(DIRS - 100, dirs, "directories in the COPY layer");
        // The cost of this case, for the report (not asserted: timings are not tests), and the largest heap left
        // after a collection (the live set) from the child's GC log.
        long afterGc = 0;
        long afterFullGc = 0;
        int fullGcs = 0;
        java.util.regex.Pattern after = java.util.regex.Pattern.compile("->(\\d+)M");
        for (String line : Files.readAllLines(dir.resolve("gc.log"))) {
            java.util.regex.Matcher m = after.matcher(line);
            if (m.find()) {
                long mb = Long.parseLong(m.group(1));
                afterGc = Math.max(afterGc, mb);
                if (line.contains("Pause Full")) {
                    afterFullGc = Math.max(afterFullGc, mb);
                    fullGcs++;
                }
            }
        }
        System.out.printf("million-entry context: generated in %.1f s, built with %s in %.1f s (heap after a GC at "
                        + "most %d MB; %d full GCs, live set at most %d MB), layer checked in %.1f s%n",
                (generated - started) / 1e9, HEAP, (built - generated) / 1e9, afterGc, fullGcs, afterFullGc,
                (System.nanoTime() - built) / 1e9);
    }

    /** 1,000 directories of 999 empty files, made by one touch per directory (about a second per 100,000). */
    private static void generate(Path context) throws Exception {
        StringBuilder script = new StringBuilder("set -e; cd \"$1\"\n");
        script.append("i=0; while [ $i -lt ").append(DIRS).append(" ]; do d=$(printf d%03d $i); mkdir $d; ")
                .append("(cd $d && seq -f f%03g 0 ").append(FILES_PER_DIR - 1).append(" | xargs touch); ")
                .append("i=$((i+1)); done\n");
        Process p = new ProcessBuilder("sh", "-c", script.toString(), "generate", context.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }
}
