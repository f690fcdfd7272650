package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.layers.layout.FileTrees;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rootless builds as a real unprivileged user: the {@code wharf-rootless} account that {@code .ci/run} creates with
 * {@code /etc/subuid} and {@code /etc/subgid} ranges runs {@code wharf import} and {@code wharf build} (the CLI enters
 * a user namespace itself) with each runtime, and the layer of a RUN that chowns a file to 1000 has that file as
 * 1000:1000. Runs as root to switch users with {@code setpriv}; skips without the account, except under
 * {@code CI=true}.
 */
class RootlessBuildTest {
    private static final String USER = "wharf-rootless";
    /** A user without subordinate ids: its namespace maps uid 0 only. */
    private static final String SINGLE = "wharf-single";
    private static Path work;
    private static String classpath;
    /** How the user starts wharf: the test JVM's java with the copied class path, or the copied native image. */
    private static List<String> command;

    private static void require(boolean condition, String reason) {
        if (!condition && "true".equals(System.getenv("CI"))) {
            fail("CI=true and a host requirement is missing: " + reason);
        }
        assumeTrue(condition, "skipped: " + reason);
    }

    private static boolean succeeds(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor() == 0;
    }

    @BeforeAll
    static void setUp() throws Exception {
        require("root".equals(System.getProperty("user.name")), "switching to the " + USER + " user needs root");
        require(succeeds("id", "-u", USER), "no user " + USER + "; create it as .ci/run does: useradd -m " + USER
                + " and give it /etc/subuid and /etc/subgid ranges (e.g. " + USER + ":165536:65536)");
        require(succeeds("sh", "-c", "command -v setpriv && command -v newuidmap"),
                "setpriv (util-linux) and newuidmap (uidmap) are needed; apt-get install util-linux uidmap");
        require(Files.isExecutable(Path.of("/usr/bin/busybox")) || Files.isExecutable(Path.of("/bin/busybox")),
                "busybox is missing; apt-get install busybox-static");
        // A directory the user can read and write: the test JVM's classpath (under /root and the worktree) may not
        // be readable by it, so a copy is.
        work = Files.createTempDirectory(Path.of("/tmp"), "wharf-rootless-test-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path cp = Files.createDirectory(work.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path from = Path.of(entry);
            Path to = cp.resolve(n++ + (Files.isDirectory(from) ? "" : ".jar"));
            if (Files.isDirectory(from)) {
                assertTrue(succeeds("cp", "-r", from.toString(), to.toString()));
            } else if (Files.isRegularFile(from)) {
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            } else {
                continue;
            }
            entries.add(to.toString());
        }
        classpath = String.join(File.pathSeparator, entries);
        if (CliHarness.runsBinary()) {
            // The native image and its libraries, copied where the user can run them, as the class path is.
            Path binary = CliHarness.binaryPath();
            Path bin = Files.createDirectory(work.resolve("bin"));
            assertTrue(succeeds("cp", "-r", binary.toString(), binary + ".lib", bin.toString()));
            command = List.of(bin.resolve(binary.getFileName()).toString());
        } else {
            command = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", classpath,
                    Main.class.getName());
        }
        assertTrue(succeeds("chmod", "-R", "a+rwX", work.toString()));
        Path tar = work.resolve("busybox.tar");
        Process p = new ProcessBuilder(Path.of("..", "testdata", "examples", "busybox-rootfs.sh").toString(),
                tar.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, log);
        assertTrue(succeeds("chmod", "a+r", tar.toString()));
        Path context = Files.createDirectories(work.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\n"
                + "RUN mkdir /data && echo hi > /data/owned && chown 1000:1000 /data/owned && rm /bin/ls"
                + " && id -u && cat /proc/self/uid_map\n");
        assertTrue(succeeds("chmod", "-R", "a+rX", context.toString()));
        String[] imported = wharf(USER, "data", "import", tar.toString(), "busybox:latest");
        assertEquals("0", imported[0], imported[1]);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (work != null) {
            FileTrees.delete(work);
        }
    }

    /** Runs the CLI as {@code user} with its default store under XDG_DATA_HOME {@code data}; exit code, output. */
    private static String[] wharf(String user, String data, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid", user, "--regid", user,
                "--init-groups", "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                "XDG_DATA_HOME=" + work.resolve(data), "HOME=/tmp"));
        command.addAll(RootlessBuildTest.command);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), output);
        return new String[] {Integer.toString(p.exitValue()), output};
    }

    @ParameterizedTest
    @ValueSource(strings = {"builtin", "runc", "crun"})
    void rootlessRun_keepsTheOwnersItChowned(String runtime) throws Exception {
        require(succeeds("sh", "-c", "command -v " + runtime + " || [ " + runtime + " = builtin ]"),
                runtime + " is not on PATH; apt-get install " + runtime);
        String[] built = wharf(USER, "data", "build", "--no-cache", "--progress", "plain", "--runtime", runtime,
                "-t", "rootless-" + runtime, work.resolve("context").toString());
        assertEquals("0", built[0], built[1]);
        // uid 0 inside is the user; uids from 1 on are its subordinate range.
        assertTrue(built[1].matches("(?s).*\\s0\\s+\\d+\\s+1\\n.*\\s1\\s+\\d+\\s+\\d+\\n.*"), built[1]);
        Path store = work.resolve("data").resolve("wharf");
        assertTrue(Files.isDirectory(store.resolve("snapshots")), "the overlay snapshotter is used in the userns");
        String listing = lastLayer(store, "rootless-" + runtime);
        assertTrue(listing.matches("(?s).*-rw-r--r-- 1000/1000 .* data/owned\\n.*"), listing);
        assertTrue(listing.contains("bin/.wh.ls"), listing);
        if ("true".equals(System.getenv("CI"))) {
            // CI's build has gcc: the sandbox was set up by the native helper, installed in the user's store.
            try (var files = Files.walk(store.resolve("state"))) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("wharf-sandbox-")
                        && f.getParent().getFileName().toString().equals(".helper")
                        && f.getParent().getParent().getFileName().toString().equals(runtime)),
                        "no native helper in " + store.resolve("state"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"builtin", "runc", "crun"})
    void singleIdMapping_runsAsRootButCannotChownToOtherIds(String runtime) throws Exception {
        require(succeeds("id", "-u", SINGLE), "no user " + SINGLE + "; create it as .ci/run does: useradd -m " + SINGLE
                + " and remove its /etc/subuid and /etc/subgid lines");
        require(!succeeds("grep", "-q", "^" + SINGLE + ":", "/etc/subuid"), SINGLE + " must have no /etc/subuid range");
        require(succeeds("sh", "-c", "command -v " + runtime + " || [ " + runtime + " = builtin ]"),
                runtime + " is not on PATH; apt-get install " + runtime);
        String data = "data-single";
        String[] imported = wharf(SINGLE, data, "import", work.resolve("busybox.tar").toString(), "busybox:latest");
        assertEquals("0", imported[0], imported[1]);
        Path context = Files.createDirectories(work.resolve("context-single-" + runtime));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\n"
                + "RUN id -u && cat /proc/self/uid_map && echo hi > /f && (chown 1000 /f || echo chown-refused)\n");
        assertTrue(succeeds("chmod", "-R", "a+rX", context.toString()));
        String[] built = wharf(SINGLE, data, "build", "--no-cache", "--progress", "plain", "--runtime", runtime,
                context.toString());
        assertEquals("0", built[0], built[1]);
        assertTrue(built[1].matches("(?s).*\\s0\\s+\\d+\\s+1\\n.*"), built[1]);
        assertTrue(built[1].contains("chown-refused"), built[1]);
    }

    private static String lastLayer(Path store, String name) throws IOException, InterruptedException {
        ObjectMapper json = new ObjectMapper();
        JsonNode index = json.readTree(store.resolve("index.json").toFile());
        for (JsonNode m : index.get("manifests")) {
            if (m.path("annotations").path("org.opencontainers.image.ref.name").asText().startsWith(name + ":")) {
                JsonNode manifest = json.readTree(blob(store, m.get("digest").asText()).toFile());
                JsonNode layers = manifest.get("layers");
                Path layer = blob(store, layers.get(layers.size() - 1).get("digest").asText());
                Process p = new ProcessBuilder("tar", "-tvf", layer.toString(), "--numeric-owner")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, p.waitFor(), out);
                return out;
            }
        }
        throw new AssertionError("no image " + name + " in " + index);
    }

    private static Path blob(Path store, String digest) {
        String[] parts = digest.split(":");
        return store.resolve("blobs").resolve(parts[0]).resolve(parts[1]);
    }

}
