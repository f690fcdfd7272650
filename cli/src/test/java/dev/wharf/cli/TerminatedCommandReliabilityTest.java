package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.registry.LocalRegistry;
import dev.wharf.layers.store.LocalStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: {@code wharf build} and {@code wharf run} in a child JVM get SIGTERM (what Ctrl-C's SIGINT does too, and
 * what a CI runner sends on a timeout) while a sandboxed command runs. Must hold once the JVM has exited: the
 * command's processes are gone (not frozen in their cgroup: the JVM used to exit between a cancel's freeze and
 * thaw), the run's cgroup directories are removed in every hierarchy, and no mount or sandbox state is left.
 */
class TerminatedCommandReliabilityTest {
    @TempDir
    Path work;

    @Test
    void terminatedBuild_killsTheRunningStep_andLeavesNoProcessCgroupOrMount() throws Exception {
        Path root = work.resolve("store");
        CliHarness.importBusybox(work, root);
        Path context = Files.createDirectories(work.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"),
                "FROM busybox:latest\nRUN sleep 987751 & echo started; wait\n");
        assertTerminatedCleanly(root, "987751", "build", "--root", root.toString(), "--progress", "plain",
                context.toString());
    }

    @Test
    void terminatedRun_killsTheCommand_andLeavesNoProcessCgroupOrMount() throws Exception {
        Path root = work.resolve("store");
        CliHarness.importBusybox(work, root);
        assertTerminatedCleanly(root, "987752", "run", "--root", root.toString(), "busybox:latest", "sh", "-c",
                "sleep 987752 & echo started; wait");
    }

    @Test
    void terminatedSave_leavesNoStagedArchiveBesideTheOutput() throws Exception {
        Path root = work.resolve("store");
        // A 256 MB layer, so that the save is still writing when it is terminated.
        importBigImage(root, 256L << 20);
        Path out = Files.createDirectories(work.resolve("out"));
        Path log = work.resolve("save.log");
        Process child = CliHarness.start(log, "save", "--root", root.toString(), "big:1", "-o",
                out.resolve("big-save.tar").toString());
        try {
            boolean staged = false;
            for (int i = 0; i < 2000 && !staged && child.isAlive(); i++) {
                try (Stream<Path> files = Files.list(out)) {
                    staged = files.anyMatch(f -> f.getFileName().toString().endsWith(".partial"));
                }
                Thread.sleep(staged ? 0 : 5);
            }
            CliHarness.require(staged, "the save ended before it could be terminated: " + read(log));
            child.destroy(); // SIGTERM
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the terminated JVM did not exit");
        } finally {
            child.destroyForcibly();
        }
        try (Stream<Path> files = Files.list(out)) {
            List<Path> left = files.toList();
            // The save either finished (the archive alone) or left nothing.
            assertTrue(left.isEmpty() || left.equals(List.of(out.resolve("big-save.tar"))), left.toString());
        }
    }

    @Test
    void buildTerminatedWhileSendingItsTarball_endsWithTheStatusItReached() throws Exception {
        Path root = work.resolve("store");
        importBigImage(root, 512L << 20);
        Path context = Files.createDirectories(work.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM big:1\n");
        Path tarball = work.resolve("out.tar");
        Path log = work.resolve("build.log");
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        ProcessBuilder builder = CliHarness.processBuilder("build", "--root", root.toString(), "--progress", "plain",
                "-o", "-", context.toString());
        CliHarness.useTemporaryDirectory(builder, tmp);
        Process child = builder.redirectOutput(tarball.toFile()).redirectError(log.toFile()).start();
        try {
            for (int i = 0; i < 12000 && child.isAlive() && Files.size(tarball) == 0; i++) {
                Thread.sleep(5);
            }
            CliHarness.require(child.isAlive() && Files.size(tarball) < (512L << 20),
                    "the build ended before its tarball could be interrupted: " + read(log));
            child.destroy(); // SIGTERM, after the build, while its tarball goes to standard output
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the terminated JVM did not exit");
        } finally {
            child.destroyForcibly();
        }
        // Nothing was left to cancel: the JVM ends with the status the command reached, 0 with the tarball whole,
        // as soon as it is sent. The shutdown hook used to wait 10 s for a cancellation report that never came, and
        // the JVM then ended with the signal's status, 143.
        assertEquals(0, child.exitValue(), read(log));
        assertTrue(Files.size(tarball) > (512L << 20), "the tarball was cut short: " + Files.size(tarball));
        try (Stream<Path> left = Files.list(tmp)) {
            // The hook used to halt the JVM before the command deleted the tarball it spooled for stdout.
            assertEquals(List.of(), left.toList(), "the build's temporary files outlived it");
        }
    }

    @Test
    void terminatedPull_endsWithContextCanceledAndStatusOne_leavingNothingStaged() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(Files.createDirectories(work.resolve("registry")),
                new LocalRegistry.NoAuth())) {
            String name = registry.host() + "/random:1";
            importRandomImage(work.resolve("source"), name);
            CliHarness.ok("push", "--root", work.resolve("source").toString(), name);
            Path root = work.resolve("store");
            assertTerminatedAsDocker(root, root.resolve("ingest"), "pull", "--root", root.toString(), name);
        }
    }

    @Test
    void terminatedPush_endsWithContextCanceledAndStatusOne() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(Files.createDirectories(work.resolve("registry")),
                new LocalRegistry.NoAuth())) {
            String name = registry.host() + "/random:1";
            Path root = work.resolve("store");
            importRandomImage(root, name);
            // The registry stages the upload: wait for its first upload file.
            assertTerminatedAsDocker(root, work.resolve("registry"), "push", "--root", root.toString(), name);
        }
    }

    @Test
    void terminatedLoad_endsWithContextCanceledAndStatusOne_leavingNothingStaged() throws Exception {
        Path source = work.resolve("source");
        importRandomImage(source, "random:1");
        Path archive = work.resolve("random.tar");
        CliHarness.ok("save", "--root", source.toString(), "random:1", "-o", archive.toString());
        Path root = work.resolve("store");
        assertTerminatedAsDocker(root, root.resolve("ingest"), "load", "--root", root.toString(), "-i",
                archive.toString());
    }

    @Test
    void buildTerminatedWhileCompressingForItsOciOutput_isCanceledAsBuildx_andLeavesNothingStaged()
            throws Exception {
        Path root = work.resolve("store");
        importRandomImage(root, "random:1");
        Path context = Files.createDirectories(work.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM random:1\n");
        Path out = Files.createDirectories(work.resolve("out"));
        // The store keeps layers uncompressed: the oci exporter gzips 128 MB of random bytes into ingest/ first.
        assertExportTerminatedAsBuildx(root, root.resolve("ingest"), out, "exporting to oci image format",
                "-o", "type=oci,dest=" + out.resolve("image.tar"), context.toString());
    }

    @Test
    void buildTerminatedWhileWritingItsTarOutput_isCanceledAsBuildx_andLeavesNothingStaged() throws Exception {
        Path root = work.resolve("store");
        importRandomImage(root, "random:1");
        Path context = Files.createDirectories(work.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM random:1\n");
        Path out = Files.createDirectories(work.resolve("out"));
        // The tar exporter unpacks the root filesystem into the build's scratch directory, then stages the tarball
        // beside its destination.
        assertExportTerminatedAsBuildx(root, out, out, "exporting to client tarball",
                "-o", "type=tar,dest=" + out.resolve("rootfs.tar"), context.toString());
    }

    /**
     * Builds with {@code args}, sends SIGTERM once a file appears in {@code staging} (the export is writing), and
     * asserts buildx's ending: the exporter vertex {@code vertex} CANCELED, then the solve's error, status 1; no
     * file left in {@code out} or the store's {@code ingest/}, no build scratch directory, and a healthy store.
     */
    private void assertExportTerminatedAsBuildx(Path root, Path staging, Path out, String vertex, String... args)
            throws Exception {
        LocalStore.open(root);
        List<String> command = new java.util.ArrayList<>(List.of("build", "--root", root.toString(), "--progress",
                "plain"));
        command.addAll(List.of(args));
        Path log = work.resolve("build.log");
        Process child = CliHarness.start(log, command.toArray(String[]::new));
        try {
            boolean writing = false;
            for (int i = 0; i < 12000 && !writing && child.isAlive(); i++) {
                try (Stream<Path> files = Files.list(staging)) {
                    writing = files.anyMatch(f -> Files.isRegularFile(f)
                            && !f.getFileName().toString().equals("wharf.lock"));
                }
                Thread.sleep(writing ? 0 : 5);
            }
            CliHarness.require(writing && child.isAlive(), "the export ended before it could be terminated: "
                    + read(log));
            child.destroy(); // SIGTERM
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the terminated JVM did not exit");
        } finally {
            child.destroyForcibly();
        }
        String text = read(log);
        assertEquals(1, child.exitValue(), text);
        java.util.regex.Matcher started = java.util.regex.Pattern.compile("(?m)^#(\\d+) " + vertex + "$")
                .matcher(text);
        assertTrue(started.find(), text);
        assertTrue(text.contains("\n#" + started.group(1) + " CANCELED\n"), text);
        assertTrue(text.strip().endsWith("ERROR: failed to solve: Canceled: context canceled"), text);
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.toList(), "the cut-short output was left");
        }
        try (Stream<Path> left = Files.list(root.resolve("ingest"))) {
            assertEquals(List.of(), left.toList(), "staged blobs outlived the build");
        }
        try (Stream<Path> left = Files.list(root.resolve("state"))) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("build-")).toList(),
                    "the build's scratch directory outlived it");
        }
        CliHarness.Outcome doctor = CliHarness.wharf("doctor", "--root", root.toString());
        assertEquals(0, doctor.exitCode(), doctor.out() + doctor.err());
    }

    @Test
    void loadTerminatedWhileSpoolingStandardInput_endsWithContextCanceled_leavingNoSpoolFile() throws Exception {
        Path source = work.resolve("source");
        importRandomImage(source, "random:1");
        Path archive = work.resolve("random.tar");
        CliHarness.ok("save", "--root", source.toString(), "random:1", "-o", archive.toString());
        Path root = work.resolve("store");
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        ProcessBuilder builder = CliHarness.processBuilder("load", "--root", root.toString());
        CliHarness.useTemporaryDirectory(builder, tmp);
        Path log = work.resolve("load.log");
        Process child = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // Half the archive, with the pipe left open: a slow `docker save |`, or a terminal.
            try (var in = Files.newInputStream(archive)) {
                child.getOutputStream().write(in.readNBytes((int) (Files.size(archive) / 2)));
                child.getOutputStream().flush();
            }
            boolean spooling = false;
            for (int i = 0; i < 12000 && !spooling && child.isAlive(); i++) {
                try (Stream<Path> files = Files.list(tmp)) {
                    spooling = files.anyMatch(f -> f.getFileName().toString().startsWith("wharf-load-"));
                }
                Thread.sleep(spooling ? 100 : 5); // then let it read what is in the pipe and block
            }
            CliHarness.require(spooling && child.isAlive(), "the load did not spool: " + read(log));
            child.destroy(); // SIGTERM
            // The spool used to block in a read that no interrupt ends: the JVM waited out its 30 s shutdown grace.
            assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the terminated load did not exit");
        } finally {
            child.destroyForcibly();
        }
        String text = read(log);
        assertEquals(1, child.exitValue(), text);
        assertEquals("wharf load: context canceled", text.strip());
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "the spooled archive outlived the load");
        }
    }

    /**
     * Runs wharf with {@code args}, sends SIGTERM once a file appears under {@code staging} (the transfer is under
     * way), and asserts docker's ending: {@code wharf COMMAND: context canceled} last, status 1, and nothing left in
     * the store's {@code ingest/}.
     */
    private void assertTerminatedAsDocker(Path root, Path staging, String... args) throws Exception {
        // The store first, so that its own set-up (oci-layout is staged in ingest/) is not taken for the transfer.
        LocalStore.open(root);
        Path log = work.resolve(args[0] + ".log");
        Process child = CliHarness.start(log, args);
        try {
            boolean started = false;
            for (int i = 0; i < 12000 && !started && child.isAlive(); i++) {
                if (Files.isDirectory(staging)) {
                    try (Stream<Path> files = Files.walk(staging)) {
                        started = files.anyMatch(f -> Files.isRegularFile(f) && !f.getFileName().toString()
                                .equals("wharf.lock") && (staging.endsWith("ingest") || f.toString()
                                .contains("_uploads")));
                    }
                }
                Thread.sleep(started ? 0 : 5);
            }
            CliHarness.require(started && child.isAlive(),
                    "the " + args[0] + " ended before it could be terminated: " + read(log));
            if (!child.isAlive()) {
                return;
            }
            child.destroy(); // SIGTERM
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the terminated JVM did not exit");
        } finally {
            child.destroyForcibly();
        }
        String text = read(log);
        // As docker's client on a cancelled context: status 1 (not the signal's 143) and one line saying so.
        assertEquals(1, child.exitValue(), text);
        assertTrue(text.strip().endsWith("wharf " + args[0] + ": context canceled"), text);
        try (Stream<Path> left = Files.list(root.resolve("ingest"))) {
            assertEquals(List.of(), left.toList(), "staged files outlived the " + args[0]);
        }
    }

    /** Imports {@code name} into the store at {@code root}: one layer of 128 MB of random bytes, which no compression shrinks, so that a transfer takes a while. */
    private void importRandomImage(Path root, String name) throws Exception {
        Path rootfs = Files.createDirectories(work.resolve("random-rootfs"));
        ReliabilityFixture.run("sh", "-c", "head -c " + (128L << 20) + " /dev/urandom > " + rootfs.resolve("r"));
        ReliabilityFixture.run("tar", "cf", work.resolve("random.tar").toString(), "-C", rootfs.toString(), ".");
        CliHarness.ok("import", "--root", root.toString(), work.resolve("random.tar").toString(), name);
    }

    /** Imports {@code big:1} into the store at {@code root}: one layer of a sparse file of {@code size} bytes. */
    private void importBigImage(Path root, long size) throws Exception {
        Path rootfs = Files.createDirectories(work.resolve("rootfs"));
        try (var big = new java.io.RandomAccessFile(rootfs.resolve("big").toFile(), "rw")) {
            big.setLength(size);
        }
        ReliabilityFixture.run("tar", "cf", work.resolve("big.tar").toString(), "-C", rootfs.toString(), ".");
        CliHarness.ok("import", "--root", root.toString(), work.resolve("big.tar").toString(), "big:1");
    }

    private void assertTerminatedCleanly(Path root, String sleepArg, String... args) throws Exception {
        Path log = work.resolve("log");
        Process child = CliHarness.start(log, args);
        try {
            assertTerminatedCleanly(root, sleepArg, child, log, args[0]);
        } finally {
            child.destroyForcibly();
        }
    }

    private void assertTerminatedCleanly(Path root, String sleepArg, Process child, Path log, String command)
            throws Exception {
        long sleeper = 0;
        for (int i = 0; i < 600 && sleeper == 0; i++) {
            assertTrue(child.isAlive(), () -> "wharf ended early: " + read(log));
            sleeper = ReliabilityFixture.pidRunning("sleep", sleepArg);
            Thread.sleep(50);
        }
        assertNotEquals(0, sleeper, () -> "the sandboxed sleep did not start: " + read(log));
        List<String> cgroups = wharfCgroups(sleeper);
        assertFalse(cgroups.isEmpty(), "the command runs in a cgroup of its own");

        child.destroy(); // SIGTERM
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the terminated JVM did not exit");

        int exit = child.exitValue();
        assertEquals(0, ReliabilityFixture.pidRunning("sleep", sleepArg),
                () -> "the sleeper outlived wharf (exit " + exit + "): " + read(log));
        for (String name : cgroups) {
            try (Stream<Path> found = Files.find(Path.of("/sys/fs/cgroup"), 4,
                    (p, a) -> p.getFileName() != null && p.getFileName().toString().equals(name))) {
                assertEquals(List.of(), found.toList(), "cgroup directories outlived wharf");
            }
        }
        assertEquals(List.of(), ReliabilityFixture.mountsUnder(root), "mounts outlived wharf");
        assertEquals(List.of(), ReliabilityFixture.sandboxRuns(root), "sandbox state outlived wharf");
        assertEquals(List.of(), ReliabilityFixture.processesUnder(root), "processes outlived wharf");
        if (command.equals("build")) {
            // As buildx on Ctrl-C: the running step CANCELED, then the solve's error, last, and status 1.
            String text = read(log);
            assertEquals(1, exit, text);
            assertTrue(java.util.regex.Pattern.compile("(?m)^#\\d+ CANCELED$").matcher(text).find(), text);
            assertTrue(text.strip().endsWith("ERROR: failed to solve: Canceled: context canceled"), text);
        }
    }

    /** The names of the {@code wharf-<id>} cgroups the process is in, from {@code /proc/PID/cgroup}. */
    private static List<String> wharfCgroups(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup")).stream()
                .flatMap(l -> Stream.of(l.substring(l.indexOf(':', l.indexOf(':') + 1) + 1).split("/")))
                .filter(n -> n.startsWith("wharf-")).distinct().toList();
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
