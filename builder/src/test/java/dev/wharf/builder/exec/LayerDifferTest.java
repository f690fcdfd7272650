package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.snapshot.CopySnapshotter;
import dev.wharf.builder.snapshot.Mount;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.layer.LayerWriterOptions;
import dev.wharf.layers.layer.TreeScanner;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarReader;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer of a copy-based snapshot: a real {@link CopySnapshotter} (no mount needed: its snapshot is a plain
 * directory), changed on disk, diffed and written by a real {@link LayerWriter} into a real blob store.
 */
class LayerDifferTest {
    private static final long LOWER_DIR_TIME = 1_577_836_800L; // 2020-01-01, as `touch -d 2020-01-01` leaves it

    @TempDir
    Path tmp;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    /**
     * A file rewritten deep in a lower directory tree, and a file deleted from another: the double walk reports
     * neither parent (their own metadata did not change), yet BuildKit's layers carry every parent with its real
     * mtime (containerd's ChangeWriter includeParents; dockerd 26's BuildKit gave `t/ t/a/ t/a/b/ t/a/b/c/
     * t/a/b/c/deep` for `echo >> /t/a/b/c/deep`, the directories with their 2020 mtimes). Whiteouts stand at the
     * deleted name's place in walk order.
     */
    @Test
    void copySnapshot_layerHasTheParentsOfDeepChanges_withTheirRealMtimes_inWalkOrder() throws Exception {
        CopySnapshotter snapshotter = new CopySnapshotter(tmp.resolve("snapshots"));
        Path base = Path.of(snapshotter.prepare("b", null).get(0).source());
        Files.createDirectories(base.resolve("t/a/b/c"));
        Files.writeString(base.resolve("t/a/b/c/deep"), "x\n");
        Files.createDirectories(base.resolve("t/ord/b"));
        for (String f : List.of("t/ord/a", "t/ord/b/in", "t/ord/z", "t/ord/a-b")) {
            Files.writeString(base.resolve(f), f);
        }
        for (String d : List.of("t/a/b/c", "t/a/b", "t/a", "t/ord/b", "t/ord", "t")) {
            Files.setLastModifiedTime(base.resolve(d), FileTime.from(LOWER_DIR_TIME, java.util.concurrent.TimeUnit.SECONDS));
        }
        snapshotter.commit("base", "b");

        List<Mount> mounts = snapshotter.prepare("k", "base");
        Path fs = Path.of(mounts.get(0).source());
        Files.writeString(fs.resolve("t/a/b/c/deep"), "x\ndeep2\n");
        Files.setLastModifiedTime(fs.resolve("t/a/b/c/deep"), FileTime.fromMillis(1_700_000_000_123L));
        Files.delete(fs.resolve("t/ord/a"));
        Files.delete(fs.resolve("t/ord/z"));
        Files.setLastModifiedTime(fs.resolve("t/ord"), FileTime.fromMillis(1_700_000_001_000L));

        PosixFiles posix = PosixFiles.system();
        FileBlobStore store = FileBlobStore.open(tmp.resolve("blobs"));
        LayerWriter writer = new LayerWriter(store, new TreeScanner(posix),
                LayerWriterOptions.of(LayerCompression.none()), pool);
        LayerBlob layer = new LayerDiffer(snapshotter, posix).diff("k", mounts, writer, ProgressListener.none(), 1);

        List<TarEntry> entries = new ArrayList<>();
        try (InputStream in = store.open(layer.descriptor().digest())) {
            TarReader reader = new TarReader(in);
            Optional<TarEntry> e;
            while ((e = reader.next()).isPresent()) {
                entries.add(e.get());
            }
        }
        assertEquals(List.of("t/", "t/a/", "t/a/b/", "t/a/b/c/", "t/a/b/c/deep", "t/ord/", "t/ord/.wh.a",
                        "t/ord/.wh.z"),
                entries.stream().map(TarEntry::name).toList());
        assertEquals(List.of(LOWER_DIR_TIME, LOWER_DIR_TIME, LOWER_DIR_TIME, LOWER_DIR_TIME, 1_700_000_000L,
                        1_700_000_001L),
                entries.subList(0, 6).stream().map(TarEntry::mtime).toList(),
                "parents keep their real mtimes; t/ord's is the one the deletions set");
        assertEquals(8, entries.get(4).size());
    }
}
