package dev.wharf.builder.differential;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.GitHttpServer;
import dev.wharf.builder.testing.HostRequirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential tests against BuildKit: every case of {@code testdata/differential/} is built by wharf (through the
 * engine API, real sandbox) and by {@code docker build} with BuildKit (the private daemon of {@code peers.sh}), both
 * from the same busybox base image, and the images are compared above the base (see {@link ImageComparison}).
 * Differences a case lists as expected in its {@code case.properties} are reported but accepted. A report table goes
 * to standard output and to {@code target/differential-report.md}. {@code -Dwharf.differential.only=REGEX} runs only
 * the cases whose directory names match.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DifferentialBuildTest {
    private static final String BASE = "wharf-diff-base:latest";
    private static final Path CASES = Path.of("..", "testdata", "differential");

    @TempDir
    static Path temp;

    private BuildKitPeer peer;
    private BuildEngine engine;
    private int wharfBaseHistory;
    private int buildkitBaseHistory;
    private int baseLayers;
    private final Map<String, String> report = new TreeMap<>();

    @BeforeAll
    void importTheSameBaseOnBothSides() throws Exception {
        HostRequirements.requireRoot();
        peer = BuildKitPeer.require();
        Path tar = temp.resolve("busybox.tar");
        peer.busyboxTar(tar);
        peer.docker("import", tar.toString(), BASE);
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")));
        engine.importImage(tar, BASE);
        Path context = Files.createDirectories(temp.resolve("base-context"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + BASE + "\n");
        ImageSnapshot[] base = build("base", context, DifferentialCase.read(context));
        wharfBaseHistory = base[0].history().size();
        buildkitBaseHistory = base[1].history().size();
        baseLayers = base[1].layers().size();
        assertTrue(baseLayers == base[0].layers().size(), "both sides import the base as the same layers");
    }

    @AfterAll
    void writeReport() throws IOException {
        if (engine != null) {
            engine.close();
        }
        if (report.isEmpty()) {
            return;
        }
        StringBuilder table = new StringBuilder("| case | result |\n|---|---|\n");
        report.forEach((name, result) -> table.append("| ").append(name).append(" | ").append(result).append(" |\n"));
        System.out.println(table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "differential-report.md"), table);
    }

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(CASES)) {
            // -Dwharf.differential.only=REGEX runs the matching cases only (while fixing one).
            String only = System.getProperty("wharf.differential.only", ".*");
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> n.matches(only))
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void wharfBuildsWhatBuildKitBuilds(String name) throws Exception {
        DifferentialCase c = DifferentialCase.read(CASES.resolve(name));
        Path context = temp.resolve("ctx-" + name);
        copyTree(c.dir(), context);
        prepare(c, context);
        // Whole seconds, as layers store them: what either side writes from here on is dated at or after it.
        long buildStart = java.time.Instant.now().getEpochSecond();
        ImageSnapshot[] images = build(name, context, c);
        List<ImageComparison.Difference> differences = new ArrayList<>(ImageComparison.compare(images[0],
                images[1], wharfBaseHistory, buildkitBaseHistory, baseLayers));
        if (c.compareMtimes()) {
            differences.addAll(ImageComparison.compareMtimes(images[0], images[1], baseLayers, buildStart));
        }
        if (c.compareHeaders()) {
            differences.addAll(ImageComparison.compareHeaders(images[0], images[1], baseLayers));
        }
        List<String> unexpected = new ArrayList<>();
        List<String> accepted = new ArrayList<>();
        for (ImageComparison.Difference d : differences) {
            Optional<String> reason = c.expectation(d.key());
            if (reason.isPresent()) {
                accepted.add(d.key());
            } else {
                unexpected.add(d.toString());
            }
        }
        report.put(name, unexpected.isEmpty() ? (accepted.isEmpty() ? "pass" : "pass, expected: " + accepted)
                : "FAIL: " + unexpected.size() + " differences");
        assertTrue(unexpected.isEmpty(), name + " differs from BuildKit:\n  " + String.join("\n  ", unexpected));
    }

    /** Builds {@code context} with wharf and with BuildKit; returns both images, wharf's first. */
    private ImageSnapshot[] build(String name, Path context, DifferentialCase c) throws Exception {
        if (c.git().isEmpty()) {
            return build(name, context, c, null);
        }
        try (GitHttpServer git = GitHttpServer.start(temp.resolve("git-" + name))) {
            for (Map.Entry<String, String> repo : c.git().entrySet()) {
                git.publish(repo.getKey(), context.resolve(repo.getValue()));
            }
            return build(name, context, c, git);
        }
    }

    private ImageSnapshot[] build(String name, Path context, DifferentialCase c, GitHttpServer git)
            throws Exception {
        Path out = Files.createDirectories(temp.resolve("out-" + name));
        Map<String, String> buildArgs = new TreeMap<>(c.args());
        Optional<String> gitContext = Optional.empty();
        if (git != null) {
            buildArgs.put("GIT_SERVER", git.root());
            gitContext = c.gitContext().map(v -> git.url(v.split("#", 2)[0]) + v.substring(v.indexOf('#')));
        }
        BuildRequest.Builder request = (gitContext.isPresent()
                ? BuildRequest.builder(new dev.wharf.builder.api.BuildContext.Git(gitContext.get()))
                : BuildRequest.builder(context)).network("none").buildArgs(buildArgs)
                .output(new BuildOutput("oci", Optional.of(out.resolve("wharf"))));
        c.target().ifPresent(request::target);
        c.file().ifPresent(f -> request.dockerfile(context.resolve(f)));
        c.labels().forEach(request::label);
        List<String> args = new ArrayList<>(List.of("build", "--network", "none", "-q"));
        if (c.compareMtimes()) {
            // The peer keeps its build cache between runs: a hit would bring layers dated by an earlier run.
            request.noCache(true);
            args.add("--no-cache");
        }
        String tag = "wharf-diff/" + name.toLowerCase() + ":latest";
        args.addAll(List.of("-t", tag));
        buildArgs.forEach((k, v) -> args.addAll(List.of("--build-arg", k + "=" + v)));
        c.target().ifPresent(t -> args.addAll(List.of("--target", t)));
        c.file().ifPresent(f -> args.addAll(List.of("-f", context.resolve(f).toString())));
        c.labels().forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
        for (Map.Entry<String, String> secret : c.secrets().entrySet()) {
            Path file = out.resolve("secret-" + secret.getKey());
            Files.writeString(file, secret.getValue());
            request.secret(secret.getKey(), file);
            args.addAll(List.of("--secret", "id=" + secret.getKey() + ",src=" + file));
        }
        args.add(gitContext.orElse(context.toString()));
        engine.build(request.build()).get(5, TimeUnit.MINUTES);
        try {
            peer.docker(args.toArray(String[]::new));
            peer.saveLayout(tag, out.resolve("buildkit"));
        } finally {
            peer.removeImages(tag);
        }
        ImageSnapshot wharf = ImageSnapshot.read(out.resolve("wharf"), c.compareHeaders());
        ImageSnapshot buildkit = ImageSnapshot.read(out.resolve("buildkit"), c.compareHeaders());
        for (String secret : c.secrets().values()) {
            assertTrue(!containsText(out.resolve("wharf"), secret), "the secret reached wharf's image");
        }
        return new ImageSnapshot[] {wharf, buildkit};
    }

    /** Makes what git cannot store: hardlinks, xattrs, special files, empty directories, modes and owners. */
    private static void prepare(DifferentialCase c, Path context) throws IOException {
        for (List<String> link : c.hardlinks()) {
            Files.deleteIfExists(context.resolve(link.get(1)));
            Files.createLink(context.resolve(link.get(1)), context.resolve(link.get(0)));
        }
        for (List<String> xattr : c.xattrs()) {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(context.resolve(xattr.get(0)),
                    UserDefinedFileAttributeView.class);
            HostRequirements.require(view != null, "user xattrs are not supported at " + context);
            String attribute = xattr.get(1).startsWith("user.") ? xattr.get(1).substring(5) : xattr.get(1);
            view.write(attribute, StandardCharsets.UTF_8.encode(xattr.get(2)));
        }
        for (List<String> special : c.specials()) {
            Path path = context.resolve(special.get(0));
            if (special.get(1).equals("fifo")) {
                run("mkfifo", path.toString());
            } else {
                // Binding a Unix domain socket leaves its file behind after the channel is closed.
                try (var channel = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                    channel.bind(java.net.UnixDomainSocketAddress.of(path));
                }
            }
        }
        for (String dir : c.dirs()) {
            Files.createDirectories(context.resolve(dir));
        }
        for (List<String> owner : c.owners()) {
            run("chown", "-h", owner.get(1), context.resolve(owner.get(0)).toString());
        }
        for (List<String> mode : c.modes()) {
            // chmod(1) after chown (which clears set-id bits): Java's permission API cannot set set-id and sticky.
            run("chmod", mode.get(1), context.resolve(mode.get(0)).toString());
        }
        for (List<String> mtime : c.mtimes()) {
            // touch -h: a symlink's own time (java.nio follows symlinks), after what else would change it.
            run("touch", "-h", "-d", "@" + mtime.get(1), context.resolve(mtime.get(0)).toString());
        }
    }

    private static void run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        try {
            assertTrue(process.waitFor() == 0, String.join(" ", command));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + String.join(" ", command), e);
        }
    }

    private static boolean containsText(Path dir, String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                if (content.contains(new String(needle, StandardCharsets.ISO_8859_1))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Copies the case directory without case.properties, keeping symlinks as symlinks. */
    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path rel = from.relativize(file);
                if (!rel.toString().equals("case.properties")) {
                    Files.copy(file, to.resolve(rel.toString()), LinkOption.NOFOLLOW_LINKS,
                            StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
