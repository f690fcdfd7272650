package dev.wharf.cli;

import dev.wharf.builder.sandbox.UserNamespaces;
import dev.wharf.layers.store.StoreRoot;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The workload the class-data archive ({@code cli/target/wharf.jsa}) is recorded from at package time: the
 * commands whose start time matters, in one JVM run whose loaded classes (and lambda forms) are listed with
 * {@code -XX:DumpLoadedClassList} and then dumped as a static archive (see {@code cli/pom.xml}): {@code version},
 * {@code --help}, {@code parse}, and a build of a small Dockerfile (COPY and metadata steps, no RUN, so no root
 * is needed) on a throwaway store, done twice so the second is fully cached, then {@code images} and
 * {@code inspect}, a {@code push} of the image to an in-memory registry ({@link TrainingRegistry}) and a
 * {@code pull} of it into a second store (the registry client's and its transport's classes: about 700 that a
 * fresh {@code wharf pull} otherwise loads and verifies at every start), an export of the image with zstd layers
 * and a build upon it in another store, which applies them (zstd-jni's streams both ways, the layer applier). The
 * context holds a directory of {@value #DATA_FILES} small files, which the build copies: past a few hundred entries
 * a context is listed by the native scan helper or the native binding, and a directory's files are hashed ahead, so
 * those classes are archived too. With a static busybox on the PATH (what the examples and benchmarks build from), also what a cold
 * build runs: a multi-stage build with RUN steps (shell and exec form, a cache mount) in the sandbox
 * {@code --runtime auto} picks and in the built-in one, {@code COPY --from}, layers written and compressed, with
 * {@code --no-cache}; every class such a build loads in a fresh JVM is then read from the archive instead of being
 * parsed and verified from the jar (RUN needs root; without it those steps fail and the archive holds what they
 * loaded up to there). Never fails the package build: the archive is an optimisation.
 */
public final class CdsTraining {
    /** More than ContextWalker's thresholds for the native binding (512 entries) and parallel listing (2048). */
    private static final int DATA_FILES = 3000;

    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path work = Files.createTempDirectory("wharf-cds-");
        try {
            Path context = Files.createDirectories(work.resolve("context"));
            Files.writeString(context.resolve("Dockerfile"), "# syntax=docker/dockerfile:1\n"
                    + "ARG BASE=scratch\nFROM ${BASE} AS base\nFROM base\nLABEL org.opencontainers.image.title=cds\n"
                    + "ENV GREETING=\"hello\"\nWORKDIR /app\nCOPY --chmod=0755 hello.sh /app/hello.sh\n"
                    + "COPY data /data\nUSER nobody\nCMD [\"/app/hello.sh\"]\n");
            Files.writeString(context.resolve("hello.sh"), "#!/bin/sh\necho hello\n");
            for (int i = 0; i < DATA_FILES; i++) {
                Path dir = Files.createDirectories(context.resolve("data/d" + i / 100));
                Files.writeString(dir.resolve("f" + i), Integer.toString(i));
            }
            Files.writeString(context.resolve(".dockerignore"), "*.tmp\n");
            String root = work.resolve("store").toString();
            PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
            Main.excludeUnusedConverters(); // as Main.main, so the archive holds what a command loads
            UserNamespaceEntry.run(new String[] {"version"}, sink); // Main.main's first step: loads the class
            run(sink, "version");
            run(sink, "--version");
            run(sink, "--help");
            run(sink, "build", "--help");
            run(sink, "parse", context.resolve("Dockerfile").toString());
            trainChecks(sink, work, root);
            trainJarLaunch();
            for (int i = 0; i < 2; i++) {
                run(sink, "build", "--root", root, "--progress", "plain", "-t", "cds:latest", context.toString());
            }
            for (String progress : new String[] {"quiet", "tty", "rawjson"}) {
                run(sink, "build", "--root", root, "--progress", progress, "-t", "cds:latest", context.toString());
            }
            // FROM an image of the store (what most builds start from): its manifest and config are read and mapped.
            Path derived = Files.createDirectories(work.resolve("derived"));
            Files.writeString(derived.resolve("Dockerfile"), "FROM cds:latest\nCOPY hello.sh /app/again.sh\n");
            Files.writeString(derived.resolve("hello.sh"), "#!/bin/sh\necho again\n");
            for (int i = 0; i < 2; i++) {
                run(sink, "build", "--root", root, "--progress", "quiet", "-t", "cds-derived", derived.toString());
            }
            run(sink, "images", "--root", root);
            run(sink, "inspect", "--root", root, "cds:latest");
            try (TrainingRegistry registry = TrainingRegistry.start()) {
                String remote = registry.host() + "/cds/app:1";
                run(sink, "tag", "--root", root, "cds:latest", remote);
                run(sink, "push", "--root", root, remote);
                run(sink, "pull", "--root", work.resolve("pulled").toString(), remote);
            } catch (IOException e) {
                // No loopback socket: the archive is made without the registry classes.
            }
            trainZstd(sink, work, root, context);
            Optional<Path> busybox = staticBusybox();
            if (busybox.isPresent()) {
                trainRun(sink, work, root, busybox.get());
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * What a command without {@code --root} and the hello example load that the builds here do not: the store root
     * from the environment ({@code WHARF_ROOT} or the default; every training command names its root), a {@code RUN}
     * heredoc (the parser's heredoc classes, the shell word expander's) and findings of the build checks (their
     * rules), through {@code parse} and {@code build --check}, which run no step. Each class left out is read from
     * the jar and verified at every start of such a build.
     */
    private static void trainChecks(PrintWriter sink, Path work, String root) throws IOException {
        StoreRoot.resolve(Map.of(StoreRoot.WHARF_ROOT, root), work);
        Path checked = Files.createDirectories(work.resolve("checked"));
        Files.writeString(checked.resolve("Dockerfile"), "ARG BASE=scratch\nFROM ${BASE} as base\n"
                + "ENV GREETING=\"hello\"\nWORKDIR /app\n"
                + "RUN <<EOF\nset -e\necho \"built on $(uname -m)\" > /app/built.txt\nEOF\n"
                + "USER nobody\nCMD /app/hello.sh\n");
        run(sink, "parse", checked.resolve("Dockerfile").toString());
        run(sink, "build", "--root", root, "--check", checked.toString());
    }

    /**
     * What {@code java -jar wharf.jar} loads before {@code main} and this run ({@code -cp}) does not: the launcher
     * reads the jar's manifest with verification on ({@code JarVerifier} and what it uses). ./wharf itself starts
     * with {@code -cp} and never opens the jar for a cached build; this is for the jar run directly.
     */
    private static void trainJarLaunch() {
        try (JarFile jar = new JarFile(Path.of(CdsTraining.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).toFile(), true)) {
            jar.getManifest();
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // Not run from a jar: nothing of the launcher's to record.
        }
    }

    /**
     * zstd layers both ways: the image exported as an OCI layout with {@code compression=zstd} (zstd-jni's
     * compressing stream and native library, which a default gzip build never loads), loaded into another store and
     * built upon there, which applies its zstd layers (the decompressing stream, the applier and its file writer).
     */
    private static void trainZstd(PrintWriter sink, Path work, String root, Path context) throws IOException {
        Path layout = work.resolve("oci-zstd");
        run(sink, "build", "--root", root, "--progress", "quiet", "-t", "cds:latest", "--output",
                "type=oci,tar=false,dest=" + layout + ",compression=zstd", context.toString());
        String loaded = work.resolve("loaded").toString();
        run(sink, "load", "--root", loaded, "-i", layout.toString());
        Path above = Files.createDirectories(work.resolve("zstd-context"));
        Files.writeString(above.resolve("Dockerfile"), "FROM cds:latest\nCOPY added /added\n");
        Files.writeString(above.resolve("added"), "added\n");
        run(sink, "build", "--root", loaded, "--progress", "quiet", "-t", "cds-zstd:latest", above.toString());
    }

    /** Builds with RUN steps: a base made by COPY of busybox, two stages joined by COPY --from, a cache mount. */
    private static void trainRun(PrintWriter sink, Path work, String root, Path busybox) throws IOException {
        Path context = Files.createDirectories(work.resolve("run-context"));
        Files.copy(busybox, context.resolve("busybox"));
        Path app = Files.createDirectories(context.resolve("app"));
        for (int i = 1; i <= 20; i++) {
            Files.writeString(app.resolve("data" + i + ".txt"), "line\n".repeat(i * 200));
        }
        // The user and group files a base image has (busybox-rootfs.sh writes these), which every RUN then reads.
        Files.writeString(context.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "nobody:x:65534:65534:nobody:/home:/bin/false\n");
        Files.writeString(context.resolve("group"), "root:x:0:\nnogroup:x:65534:\n");
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch AS tools\n"
                + "COPY --chmod=0755 busybox /bin/busybox\n"
                + "COPY passwd group /etc/\n"
                + "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
                + "FROM tools AS left\n"
                + "COPY app/ /app/\n"
                + "RUN sha256sum /app/* > /app/SUMS && chown -R 65534:65534 /app\n"
                + "RUN --mount=type=cache,target=/cache echo cached >> /cache/log && cp /cache/log /app/log\n"
                + "FROM tools AS right\n"
                + "RUN i=0; while [ $i -lt 100 ]; do i=$((i + 1)); done; echo $i > /out\n"
                + "FROM tools\n"
                + "COPY --from=left /app /app\n"
                + "COPY --from=right /out /out\n"
                + "WORKDIR /app\n"
                + "USER 65534\n"
                + "CMD [\"cat\", \"/out\"]\n");
        for (String runtime : new String[] {"auto", "builtin"}) {
            for (String progress : new String[] {"quiet", "plain"}) {
                run(sink, "build", "--root", root, "--runtime", runtime, "--progress", progress, "--network", "none",
                        "--no-cache", "-t", "cds-run:latest", context.toString());
            }
        }
        run(sink, "build", "--root", root, "--progress", "quiet", "--network", "none", "-t", "cds-run:latest",
                context.toString());
        // FROM that image: a user added to its passwd file, a chown by name, USER by name (the user and group files
        // are read), built cold then cached.
        Path derived = Files.createDirectories(work.resolve("run-derived"));
        Files.writeString(derived.resolve("Dockerfile"), "FROM cds-run:latest\nCOPY app/ /home/app/\n"
                + "RUN mkdir -p /etc && echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd"
                + " && echo 'app:x:1000:' >> /etc/group && chown -R app:app /home/app\n"
                + "USER app\nCMD [\"/bin/sh\"]\n");
        Files.createDirectories(derived.resolve("app"));
        Files.writeString(derived.resolve("app/main.sh"), "#!/bin/sh\necho app\n");
        for (String cache : new String[] {"--no-cache", "--no-cache=false"}) {
            run(sink, "build", "--root", root, "--progress", "quiet", "--network", "none", cache, "-t",
                    "cds-run-derived", derived.toString());
        }
    }

    /** A statically linked busybox on the PATH: it runs in an empty root file system. */
    private static Optional<Path> staticBusybox() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "busybox");
            if (Files.isExecutable(candidate) && isStaticElf(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** An ELF file without a PT_INTERP program header (no dynamic loader), read from its header. */
    private static boolean isStaticElf(Path file) {
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(header, 0);
            if (header.position() < 64 || header.getInt(0) != 0x464c457f || header.get(4) != 2) {
                return false; // not a little-endian 64-bit ELF file
            }
            long phoff = header.getLong(32);
            int phentsize = Short.toUnsignedInt(header.getShort(54));
            int phnum = Short.toUnsignedInt(header.getShort(56));
            ByteBuffer entry = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < phnum; i++) {
                entry.clear();
                channel.read(entry, phoff + (long) i * phentsize);
                if (entry.position() == 4 && entry.getInt(0) == 3) { // PT_INTERP
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void run(PrintWriter sink, String... args) {
        try {
            // What Main.main does before the command: the user namespace check and the warm-up thread.
            if (!UserNamespaces.needed()) {
                StartupWarmer.start(args);
            }
            Main.run(args, sink, sink);
        } catch (RuntimeException e) {
            // A failing command still loaded most of its classes; the archive stays useful.
        }
    }
}
