package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.CliHarness.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The build the reliability tests attack, and its expected results: a context with an ADD of a gzipped archive, a
 * COPY, RUN steps (one with a cache mount) parameterized by a build argument {@code V}, built with a fixed
 * SOURCE_DATE_EPOCH so that equal inputs give equal image ids. A seed store holds the busybox base, imported once;
 * every store of a test starts as a copy of it (an import dates its history, so two imports differ). Expected ids
 * come from serial builds in a reference store.
 */
final class ReliabilityFixture {
    static final String EPOCH = "1700000000";
    private final Path work;
    private final Path seed;
    private final Path reference;
    private final Path context;
    private final Map<Integer, String> expected = new HashMap<>();

    private ReliabilityFixture(Path work) {
        this.work = work;
        this.seed = work.resolve("seed");
        this.reference = work.resolve("reference");
        this.context = work.resolve("context");
    }

    /** Makes the seed store, the context and the reference store under {@code work}. */
    static ReliabilityFixture create(Path work) throws IOException, InterruptedException {
        ReliabilityFixture f = new ReliabilityFixture(work);
        CliHarness.importBusybox(work, f.seed);
        Files.createDirectories(f.context.resolve("data"));
        Path archive = Files.createDirectories(work.resolve("archive"));
        Random random = new Random(7);
        for (int i = 0; i < 4; i++) {
            byte[] bytes = new byte[256 * 1024];
            random.nextBytes(bytes);
            Files.write(archive.resolve("f" + i), bytes);
        }
        run("tar", "czf", f.context.resolve("archive.tar.gz").toString(), "-C", archive.toString(), ".");
        Files.writeString(f.context.resolve("data").resolve("a"), "data a\n");
        Files.writeString(f.context.resolve("Dockerfile"), String.join("\n",
                "FROM busybox:latest",
                "ARG V=0",
                "ADD archive.tar.gz /arch/",
                "COPY data /data",
                "RUN echo \"$V\" > /v && i=0 && while [ $i -lt 300 ]; do echo \"$i-$V\" >> /log; i=$((i+1)); done",
                "RUN --mount=type=cache,target=/cache echo \"$V\" >> /cache/runs"
                        + " && cat /v /data/a /arch/f1 | md5sum > /sum",
                "RUN sleep 0.2 && mkdir -p /out && cp /v /out/v && head -c 300000 /arch/f2 > /out/part",
                ""));
        f.copySeed(f.reference);
        return f;
    }

    /** A new store at {@code root} holding only the base image. */
    void copySeed(Path root) throws IOException, InterruptedException {
        run("cp", "-a", seed.toString(), root.toString());
    }

    Path context() {
        return context;
    }

    /** The arguments of {@code wharf build} of variant {@code v} into {@code root}. */
    List<String> buildArgs(Path root, int v) {
        return new ArrayList<>(List.of("build", "--root", root.toString(), "--progress", "plain",
                "--build-arg", "SOURCE_DATE_EPOCH=" + EPOCH, "--build-arg", "V=" + v, context.toString()));
    }

    /** The image id a serial build of variant {@code v} gives, built once in the reference store. */
    synchronized String expectedId(int v) {
        return expected.computeIfAbsent(v, k -> {
            Outcome built = wharf(buildArgs(reference, k).toArray(String[]::new));
            assertEquals(0, built.exitCode(), built.err());
            return built.out().strip();
        });
    }

    /** Processes whose command line names {@code root}: what a killed build could leave running. */
    static List<String> processesUnder(Path root) throws IOException {
        List<String> found = new ArrayList<>();
        String needle = root.toString();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(needle) && !proc.getFileName().toString()
                            .equals(Long.toString(ProcessHandle.current().pid()))) {
                        found.add(proc.getFileName() + ": " + cmdline);
                    }
                } catch (IOException e) {
                    // Exited meanwhile.
                }
            }
        }
        return found;
    }

    /** Mount points under {@code root} in the host's mount table. */
    static List<String> mountsUnder(Path root) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(l -> l.split(" ")[4]).filter(p -> p.startsWith(root + "/") || p.equals(root.toString()))
                .toList();
    }

    /** Sandbox run directories left under {@code root}. */
    static List<Path> sandboxRuns(Path root) throws IOException {
        Path base = root.resolve("state/sandbox");
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(base, 2)) {
            return all.filter(p -> p.getFileName().toString().matches("wharf-[0-9a-f]{24}([0-9a-f]{8})?")).toList();
        }
    }

    /** The pid of a process running exactly {@code argv}, or 0. */
    static long pidRunning(String... argv) throws IOException {
        String wanted = String.join("\0", argv) + "\0";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(q -> q.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                            .equals(wanted)) {
                        return Long.parseLong(proc.getFileName().toString());
                    }
                } catch (IOException e) {
                    // Exited meanwhile.
                }
            }
        }
        return 0;
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
    }
}
