package dev.wharf.layers.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.layer.LayerWriterOptions;
import dev.wharf.layers.layer.TreeScanner;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarWriter;
import dev.wharf.layers.testing.PeerTools;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A root filesystem tarball becomes a deterministic one-layer image, whatever tool packed it and how. */
class RootfsImporterTest {
    private static final ImageName NAME = ImageName.parse("rootfs:1");
    private static final LayerCompression GZIP = LayerCompression.gzip(6, 2);

    @TempDir
    Path dir;

    private ExecutorService executor;
    private LocalStore store;
    private Path tree;

    @BeforeEach
    void setUp() throws Exception {
        executor = Executors.newFixedThreadPool(2);
        store = LocalStore.open(dir.resolve("store"));
        tree = dir.resolve("tree");
        ArchiveTestSupport.sampleTree(tree);
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    private ImportedImage importRootfs(Path tarball, RootfsImportOptions options) throws LayerException {
        return new RootfsImporter(store, executor).importRootfs(tarball, NAME, options);
    }

    private static RootfsImportOptions options() {
        return RootfsImportOptions.defaults().withCompression(GZIP);
    }

    private Path gnuTar(String file, String... extra) throws Exception {
        Path tar = PeerTools.require("tar");
        Path out = dir.resolve(file);
        List<String> command = new ArrayList<>(List.of(tar.toString(), "--numeric-owner", "-C", tree.toString()));
        command.addAll(List.of(extra));
        command.addAll(List.of("-cf", out.toString()));
        if (!List.of(extra).contains("-T")) {
            command.add(".");
        }
        ArchiveTestSupport.run(command);
        return out;
    }

    private Descriptor layerOf(ImportedImage image) throws LayerException {
        return store.reader().readManifest(image.target()).layers().get(0);
    }

    @Test
    void importedLayer_equalsTheLayerWriterLayerOfTheSameTree_whateverTheEntryOrder() throws Exception {
        // Names that sort between a directory and its children by whole-name bytes, but after its subtree in the
        // layer writer's walk order; a hard link whose first name in walk order is the one inside the directory.
        Files.writeString(tree.resolve("etc-x"), "dash");
        Files.createDirectories(tree.resolve("etc.d"));
        Files.writeString(tree.resolve("etc.d/in"), "dot");
        Files.createLink(tree.resolve("etc.hard"), tree.resolve("etc/app/config.txt"));
        LayerBlob direct = new LayerWriter(store.blobs(), new TreeScanner(PosixFiles.system()),
                LayerWriterOptions.of(GZIP), executor).writeTree(tree);
        Path sorted = gnuTar("sorted.tar", "--sort=name");
        // Reverse order: the hard link's second name comes first, so the importer must move the content.
        List<String> paths;
        try (Stream<Path> walk = Files.walk(tree)) {
            paths = new ArrayList<>(walk.filter(p -> !p.equals(tree)).map(p -> "./" + tree.relativize(p)).toList());
        }
        Collections.reverse(paths);
        Path list = Files.write(dir.resolve("list"), paths);
        Path reversed = gnuTar("reversed.tar", "--no-recursion", "-T", list.toString());

        Descriptor fromSorted = layerOf(importRootfs(sorted, options()));
        Descriptor fromReversed = layerOf(importRootfs(reversed, options()));
        assertEquals(direct.descriptor(), fromSorted, "import of a tar of the tree == LayerWriter of the tree");
        assertEquals(direct.descriptor(), fromReversed, "entry order does not matter");
    }

    @Test
    void compressedTarballs_giveTheSameImage() throws Exception {
        Path plain = gnuTar("plain.tar");
        Path gzip = gnuTar("rootfs.tar.gz", "-z");
        Path zstd = dir.resolve("rootfs.tar.zst");
        try (OutputStream out = new com.github.luben.zstd.ZstdOutputStream(Files.newOutputStream(zstd))) {
            out.write(Files.readAllBytes(plain));
        }
        RootfsImportOptions fixed = options().withCreated(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC));
        ImportedImage a = new RootfsImporter(store, executor).importRootfs(plain, NAME, fixed.withComment("x"));
        ImportedImage b = new RootfsImporter(store, executor).importRootfs(gzip, NAME, fixed.withComment("x"));
        ImportedImage c = new RootfsImporter(store, executor).importRootfs(zstd, NAME, fixed.withComment("x"));
        assertEquals(a.target(), b.target());
        assertEquals(a.target(), c.target());
    }

    @Test
    void config_declaresPlatformDiffIdAndOneHistoryEntry() throws Exception {
        Path tarball = gnuTar("rootfs.tar");
        OffsetDateTime created = OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
        ImportedImage image = importRootfs(tarball, options().withCreated(created)
                .withPlatform(Platform.of("linux", "arm64")));
        ImageManifest manifest = store.reader().readManifest(image.target());
        assertEquals(MediaTypes.OCI_LAYER_GZIP, manifest.layers().get(0).mediaType());
        ImageConfiguration config = store.reader().readConfig(manifest.config());
        assertEquals("linux", config.os());
        assertEquals("arm64", config.architecture());
        assertEquals(created, config.created());
        assertEquals(1, config.rootfs().diffIds().size());
        assertEquals(1, config.history().size());
        assertEquals("imported from rootfs.tar", config.history().get(0).comment());
        assertEquals(created, config.history().get(0).created());
        assertEquals(image.target(), store.images().resolve(NAME).orElseThrow().withAnnotations(Map.of()));

        Path unpacked = dir.resolve("unpacked");
        ArchiveTestSupport.unpack(store, image.target(), unpacked);
        assertEquals(ArchiveTestSupport.snapshot(tree), ArchiveTestSupport.snapshot(unpacked));
    }

    @Test
    void withoutCreationTime_theImageIdDependsOnlyOnTheFiles() throws Exception {
        Path tarball = gnuTar("rootfs.tar");
        ImportedImage first = importRootfs(tarball, options());
        Path copy = Files.copy(tarball, Files.createDirectories(dir.resolve("copy")).resolve("rootfs.tar"));
        ImportedImage second = importRootfs(copy, options());
        assertEquals(first.configDigest(), second.configDigest());
        assertNull(store.reader().readConfig(store.reader().readManifest(first.target()).config()).created());
        Platform host = RootfsImportOptions.hostPlatform();
        assertTrue(List.of("amd64", "arm64", "386", "arm", "ppc64le", "s390x", "riscv64")
                .contains(host.architecture()), host.toString());
    }

    @Test
    void hostileOrBrokenRootfs_isRefused() throws Exception {
        Path escaping = tarOf(new TarEntry("../etc/passwd", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0,
                Map.of()));
        LayerException e = assertThrows(LayerException.class, () -> importRootfs(escaping, options()));
        assertTrue(e.getMessage().contains("path traversal"), e.getMessage());
        Path dangling = tarOf(new TarEntry("a", TarEntryType.HARDLINK, 0644, 0, 0, 0, 0, "missing", 0, 0, Map.of()));
        e = assertThrows(LayerException.class, () -> importRootfs(dangling, options()));
        assertTrue(e.getMessage().contains("not in the archive"), e.getMessage());
        assertTrue(store.images().resolve(NAME).isEmpty(), "nothing is named after a failure");
    }

    @Test
    void absoluteNames_areMadeRelative() throws Exception {
        Path absolute = tarOf(new TarEntry("/etc/", TarEntryType.DIRECTORY, 0755, 0, 0, 0, 0, "", 0, 0, Map.of()),
                new TarEntry("/etc/os-release", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0, Map.of()));
        Path relative = tarOf(new TarEntry("etc/", TarEntryType.DIRECTORY, 0755, 0, 0, 0, 0, "", 0, 0, Map.of()),
                new TarEntry("etc/os-release", TarEntryType.REGULAR, 0644, 0, 0, 0, 0, "", 0, 0, Map.of()));
        assertEquals(layerOf(importRootfs(absolute, options())), layerOf(importRootfs(relative, options())));
    }

    private Path tarOf(TarEntry... entries) throws Exception {
        Path file = Files.createTempFile(dir, "rootfs-", ".tar");
        try (OutputStream out = Files.newOutputStream(file)) {
            TarWriter tar = new TarWriter(out);
            for (TarEntry e : entries) {
                tar.putEntry(e);
            }
            tar.finish();
        }
        return file;
    }
}
