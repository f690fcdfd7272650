package dev.wharf.layers.archive;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.Platform;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.RootFs;
import dev.wharf.layers.layer.LayerApplier;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.layer.LayerWriterOptions;
import dev.wharf.layers.layer.TreeScanner;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/** Trees, images and tree comparisons shared by the archive tests. */
final class ArchiveTestSupport {
    static final Platform LINUX_AMD64 = Platform.of("linux", "amd64");

    private ArchiveTestSupport() {
    }

    /** An image written into a store: its manifest, config and layer diff IDs. */
    record Image(Descriptor manifest, Descriptor config, List<Digest> diffIds) {
    }

    /** Fills {@code root} with files, a subdirectory, an executable, a symlink, a hard link and an empty dir. */
    static void sampleTree(Path root) throws IOException {
        Files.createDirectories(root.resolve("etc/app"));
        Files.createDirectories(root.resolve("empty"));
        Files.createDirectories(root.resolve("bin"));
        write(root.resolve("etc/app/config.txt"), "key=value\n", "rw-r--r--");
        write(root.resolve("etc/hostname"), "wharf\n", "rw-r--r--");
        write(root.resolve("bin/tool"), "#!/bin/sh\necho tool\n", "rwxr-xr-x");
        write(root.resolve("secret"), "s3cr3t", "rw-------");
        Files.createSymbolicLink(root.resolve("bin/link"), Path.of("tool"));
        Files.createLink(root.resolve("etc/hostname.hard"), root.resolve("etc/hostname"));
        // Over two 1 MiB blocks: a gzip layer with libdeflate has three members, which every tool must read whole.
        byte[] big = new byte[2_500_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + i / 1000);
        }
        Files.write(root.resolve("big.bin"), big);
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, FileTime.fromMillis(1_700_000_000_000L));
                }
            }
        }
    }

    private static void write(Path file, String content, String perms) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
    }

    /** Writes the tree as a one-layer image (gzip unless given) with a Cmd, and names it. */
    static Image image(LocalStore store, Path tree, ImageName name, LayerCompression compression,
            List<String> cmd) throws IOException {
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            LayerWriter writer = new LayerWriter(store.blobs(), new TreeScanner(PosixFiles.system()),
                    LayerWriterOptions.of(compression), executor);
            LayerBlob layer = writer.writeTree(tree);
            ExecutionConfig exec = store.json().read(store.json().write(Map.of("Cmd", cmd, "Env",
                    List.of("PATH=/bin"))), ExecutionConfig.class, "test config");
            ImageConfiguration config = ImageConfiguration.of(LINUX_AMD64, exec,
                    RootFs.layers(List.of(layer.diffId())),
                    List.of(new HistoryEntry(null, "test layer", null, null, false)));
            Descriptor configDescriptor = store.writer().writeConfig(config);
            Descriptor manifest = store.writer().writeManifest(
                    ImageManifest.oci(configDescriptor, List.of(layer.descriptor())));
            store.images().tag(name, manifest);
            return new Image(manifest, configDescriptor, List.of(layer.diffId()));
        } finally {
            executor.shutdownNow();
        }
    }

    /** Applies the layers of a stored image onto {@code dest}. */
    static void unpack(LocalStore store, Descriptor manifest, Path dest) throws IOException {
        ImageManifest m = store.reader().readManifest(manifest);
        LayerApplier applier = new LayerApplier(PosixFiles.system());
        Files.createDirectories(dest);
        for (Descriptor layer : m.layers()) {
            try (InputStream in = store.blobs().open(layer.digest())) {
                applier.apply(in, dest);
            }
        }
    }

    /** Reads a whole blob. */
    static byte[] bytes(BlobProvider blobs, Digest digest) throws IOException {
        return blobs.readAllBytes(digest, 1L << 30);
    }

    /**
     * Describes a tree for comparison: type, permissions, owner, size, content digest and link target of every
     * path, and the mtime of regular files (directory times depend on the order an extractor works in).
     */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.filter(p -> !p.equals(root)).toList();
        }
        for (Path p : paths) {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,nlink",
                    LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            StringBuilder s = new StringBuilder();
            List<String> parts = new ArrayList<>();
            if (Files.isSymbolicLink(p)) {
                parts.add("symlink -> " + Files.readSymbolicLink(p));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                parts.add("dir");
            } else {
                parts.add("file size=" + a.get("size") + " sha256=" + sha256(p) + " nlink=" + a.get("nlink")
                        + " mtime=" + ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000);
            }
            if (!Files.isSymbolicLink(p)) {
                parts.add("mode=" + Integer.toOctalString(mode & 07777));
            }
            parts.add("owner=" + a.get("uid") + ":" + a.get("gid"));
            s.append(String.join(" ", parts));
            out.put(root.relativize(p).toString(), s.toString());
        }
        return out;
    }

    private static String sha256(Path file) {
        try {
            return Digest.sha256Of(Files.readAllBytes(file)).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command, failing with its output when it exits non-zero; returns stdout. */
    static String run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of());
    }

    /** Runs a command with extra environment variables; see {@link #run(List)}. */
    static String run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        Path errors = Files.createTempFile("archive-test-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(env);
            Process process = builder.start();
            byte[] out;
            try (InputStream stdout = process.getInputStream()) {
                out = stdout.readAllBytes();
            }
            int code = process.waitFor();
            if (code != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + code + ": "
                        + Files.readString(errors) + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
