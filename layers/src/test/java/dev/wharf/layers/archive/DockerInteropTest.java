package dev.wharf.layers.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.testing.PeerTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker daemon loads and runs what wharf saves, and what {@code docker save} writes loads into wharf and unpacks
 * to the same tree as umoci unpacks from it. Needs the private daemon of {@code peers.sh} (see {@link DockerPeer}).
 */
class DockerInteropTest {
    @TempDir
    Path dir;

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);

    /** A busybox root filesystem as {@code peers.sh busybox-tar} makes it, plus {@code /hello.txt}. */
    private Path busyboxTree() throws Exception {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            PeerTools.require("busybox-static-binary-at-/bin/busybox", "busybox-static");
        }
        Path root = dir.resolve("busybox");
        for (String d : List.of("bin", "etc", "proc", "sys", "dev", "tmp", "root", "home")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(busybox, root.resolve("bin/busybox"));
        for (String applet : ArchiveTestSupport.run(List.of(busybox.toString(), "--list")).split("\n")) {
            Path link = root.resolve("bin").resolve(applet.trim());
            if (!applet.isBlank() && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of("busybox"));
            }
        }
        Files.writeString(root.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        Files.writeString(root.resolve("hello.txt"), "hello from wharf\n");
        return root;
    }

    @Test
    void dockerLoad_acceptsOurDockerArchive_andDockerRunExecutesIt() throws Exception {
        DockerPeer docker = DockerPeer.require();
        LocalStore store = LocalStore.open(dir.resolve("store"));
        ImageName plain = ImageName.parse("wharf-archive-test/busybox:" + suffix);
        ImageName gzip = ImageName.parse("wharf-archive-test/busybox-gzip:" + suffix);
        ArchiveTestSupport.Image image = ArchiveTestSupport.image(store, busyboxTree(), plain,
                LayerCompression.gzip(6, 2), List.of("/bin/sh", "-c", "cat /hello.txt"));
        store.images().tag(gzip, image.manifest());
        ArchiveExporter exporter = ArchiveExporter.from(store, ArchiveTestSupport.LINUX_AMD64);
        Path tarArchive = dir.resolve("busybox.tar");
        exporter.writeDockerArchive(List.of(plain), DockerLayerFormat.TAR, tarArchive);
        Path gzipArchive = dir.resolve("busybox-gzip.tar");
        exporter.writeDockerArchive(List.of(gzip), DockerLayerFormat.STORED_GZIP, gzipArchive);
        try {
            String loaded = docker.docker("load", "-i", tarArchive.toString());
            assertTrue(loaded.contains(plain.toString()), loaded);
            assertEquals("hello from wharf\n", docker.docker("run", "--rm", "--network", "none", plain.toString()));
            assertEquals("root:x:0:0:root:/root:/bin/sh\n", docker.docker("run", "--rm", "--network", "none",
                    plain.toString(), "head", "-n", "1", "/etc/passwd"));
            String imageId = docker.docker("image", "inspect", "--format", "{{.Id}}", plain.toString()).trim();
            assertEquals(image.config().digest().toString(), imageId, "docker keeps our config: same image ID");

            String loadedGzip = docker.docker("load", "-i", gzipArchive.toString());
            assertTrue(loadedGzip.contains(gzip.toString()), loadedGzip);
            assertEquals("hello from wharf\n", docker.docker("run", "--rm", "--network", "none", gzip.toString()));
        } finally {
            docker.removeImages(plain.toString(), gzip.toString());
        }
    }

    @Test
    void dockerSave_loadsIntoWharf_andUnpacksToTheTreeUmociUnpacks() throws Exception {
        DockerPeer docker = DockerPeer.require();
        Path skopeo = PeerTools.require("skopeo");
        Path umoci = PeerTools.require("umoci");
        LocalStore store = LocalStore.open(dir.resolve("store"));
        ImageName base = ImageName.parse("wharf-archive-test/base:" + suffix);
        String built = "wharf-archive-test/built:" + suffix;
        ArchiveTestSupport.image(store, busyboxTree(), base, LayerCompression.gzip(6, 2), List.of("/bin/sh"));
        Path baseArchive = dir.resolve("base.tar");
        ArchiveExporter.from(store, ArchiveTestSupport.LINUX_AMD64)
                .writeDockerArchive(List.of(base), DockerLayerFormat.TAR, baseArchive);
        Path context = Files.createDirectories(dir.resolve("context"));
        // A second layer made by Docker itself: a new directory, a hard link, a deleted file (a whiteout).
        Files.writeString(context.resolve("Dockerfile"), "FROM " + base + "\n"
                + "RUN mkdir -p /data && echo docker > /data/made && ln /data/made /data/hard && rm /etc/group\n");
        Path saved = dir.resolve("saved.tar");
        try {
            docker.docker("load", "-i", baseArchive.toString());
            docker.docker("build", "--network", "none", "-q", "-t", built, context.toString());
            docker.docker("save", "-o", saved.toString(), built);
        } finally {
            docker.removeImages(built, base.toString());
        }

        LocalStore target = LocalStore.open(dir.resolve("target"));
        ImportResult result = ArchiveImporter.into(target).importFrom(saved);
        assertEquals(ArchiveFormat.DOCKER_ARCHIVE, result.format());
        ImportedImage imported = result.images().get(0);
        assertEquals(List.of(ImageName.parse(built)), imported.names());
        assertEquals(2, target.reader().readManifest(imported.target()).layers().size());
        Path wharfTree = dir.resolve("wharf-unpacked");
        ArchiveTestSupport.unpack(target, imported.target(), wharfTree);

        Path layout = dir.resolve("layout");
        ArchiveTestSupport.run(List.of(skopeo.toString(), "copy", "-q", "docker-archive:" + saved,
                "oci:" + layout + ":saved"));
        Path bundle = dir.resolve("bundle");
        ArchiveTestSupport.run(List.of(umoci.toString(), "unpack", "--image", layout + ":saved", bundle.toString()));
        assertEquals(ArchiveTestSupport.snapshot(bundle.resolve("rootfs")), ArchiveTestSupport.snapshot(wharfTree));
        assertTrue(Files.exists(wharfTree.resolve("data/hard")) && !Files.exists(wharfTree.resolve("etc/group")));
    }
}
