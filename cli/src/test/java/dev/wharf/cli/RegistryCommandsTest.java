package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.ok;
import static dev.wharf.cli.CliHarness.wharf;
import dev.wharf.cli.CliHarness.Outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.layers.registry.LocalRegistry;
import dev.wharf.layers.testing.RootOnly;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharf push}, {@code wharf pull} and {@code wharf build --pull/--push} against a real docker-registry on a
 * free 127.0.0.1 port, through {@link Main#run}, on fresh store roots.
 */
class RegistryCommandsTest {
    @TempDir
    Path dir;

    LocalRegistry registry;
    String demo;

    private String root(String name) {
        return dir.resolve(name).toString();
    }

    /** A registry, and a one-file image {@code <registry>/demo:1} imported into store {@code a}. */
    @BeforeEach
    void setUp() throws Exception {
        registry = LocalRegistry.start(Files.createDirectories(dir.resolve("registry")), new LocalRegistry.NoAuth());
        demo = registry.host() + "/demo:1";
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(rootfs.resolve("hello.txt"), "hello\n");
        Path tar = dir.resolve("rootfs.tar");
        Process p = new ProcessBuilder("tar", "-cf", tar.toString(), "-C", rootfs.toString(), ".")
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, log);
        ok("import", "--root", root("a"), tar.toString(), demo);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void pushPrintsTheDigestAndASecondPushFindsEveryLayerThere() {
        Outcome first = ok("push", "--root", root("a"), demo);
        List<String> lines = first.out().lines().toList();
        assertEquals("The push refers to repository [" + registry.host() + "/demo]", lines.get(0));
        assertTrue(first.out().contains(": Pushed"), first.out());
        String digestLine = lines.get(lines.size() - 1);
        assertTrue(digestLine.matches("1: digest: sha256:[0-9a-f]{64} size: [0-9]+"), digestLine);

        Outcome second = ok("push", "--root", root("a"), demo);
        assertFalse(second.out().contains(": Pushed"), second.out());
        assertTrue(second.out().contains(": Layer already exists"), second.out());
        List<String> again = second.out().lines().toList();
        assertEquals(digestLine, again.get(again.size() - 1));
    }

    @Test
    void pullIntoAFreshStoreGivesThePushedDigest() {
        String pushed = ok("push", "--root", root("a"), demo).out().lines().reduce((a, b) -> b).orElseThrow();
        String digest = pushed.split(" ")[2];

        Outcome pulled = ok("pull", "--root", root("b"), demo);
        assertTrue(pulled.out().contains(": Pull complete"), pulled.out());
        assertTrue(pulled.out().contains("Digest: " + digest + "\n"), pulled.out());
        assertTrue(pulled.out().contains("Status: Downloaded newer image for " + demo), pulled.out());
        assertTrue(pulled.out().endsWith(demo + "\n"), pulled.out());

        Outcome again = ok("pull", "--root", root("b"), demo);
        assertTrue(again.out().contains("Status: Image is up to date for " + demo), again.out());
        assertTrue(ok("images", "--root", root("b")).out().contains(registry.host() + "/demo"));
        ok("pull", "--root", root("c"), registry.host() + "/demo@" + digest);
    }

    @Test
    void anImagePulledByDigestIsListedWithTagNoneAndSurvivesPrune() throws Exception {
        String pushed = ok("push", "--root", root("a"), demo).out().lines().reduce((a, b) -> b).orElseThrow();
        String digest = pushed.split(" ")[2];
        String byDigest = registry.host() + "/demo@" + digest;

        ok("pull", "--root", root("c"), byDigest);
        ok("prune", "--root", root("c"), "--all", "--grace-period", "0s");

        List<String> images = ok("images", "--root", root("c")).out().lines().toList();
        assertEquals(2, images.size(), images.toString());
        assertTrue(images.get(1).matches(java.util.regex.Pattern.quote(registry.host() + "/demo")
                + " +<none> +[0-9a-f]{12} +.* ago +[0-9.]+[kM]?B"), images.get(1));
        List<String> digests = ok("images", "--root", root("c"), "--digests").out().lines().toList();
        assertTrue(digests.get(0).matches("REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE"), digests.get(0));
        assertTrue(digests.get(1).contains(" " + digest + " "), digests.get(1));
        String inspected = ok("inspect", "--root", root("c"), images.get(1).split(" +")[2]).out();
        var image = new ObjectMapper().readTree(inspected).get(0);
        assertEquals("[\"" + byDigest + "\"]", image.get("RepoDigests").toString(), inspected);
        assertEquals("[]", image.get("RepoTags").toString(), inspected);
        // Every blob is still there after the prune: the image can be pushed again from this store.
        ok("tag", "--root", root("c"), images.get(1).split(" +")[2], registry.host() + "/copy:1");
        ok("push", "--root", root("c"), registry.host() + "/copy:1");

        assertEquals("Untagged: " + byDigest + "\n", ok("rmi", "--root", root("c"), byDigest).out());
        assertTrue(ok("images", "--root", root("c")).out().lines().noneMatch(l -> l.contains("<none>")));
    }

    @Test
    void pullOfAnUnknownImageFailsNamingIt() {
        Outcome missing = wharf("pull", "--root", root("b"), registry.host() + "/nosuch");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().startsWith("wharf pull: failed to pull " + registry.host() + "/nosuch:latest: "),
                missing.err());
        Outcome invalid = wharf("pull", "--root", root("b"), "Demo:1");
        assertEquals(1, invalid.exitCode());
        assertTrue(invalid.err().contains("invalid reference"), invalid.err());
    }

    @Test
    void buildPullsItsBaseAndPushesTheResult() throws Exception {
        RootOnly.require("root".equals(System.getProperty("user.name")), "wharf build");
        ok("push", "--root", root("a"), demo);
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + demo + "\nCOPY app.txt /app.txt\n");
        Files.writeString(context.resolve("app.txt"), "app\n");
        String app = registry.host() + "/team/app:2";
        Path metadata = dir.resolve("metadata.json");

        Outcome built = ok("build", "--root", root("b"), "--pull", "--push", "-t", app, "--metadata-file",
                metadata.toString(), context.toString());
        assertTrue(built.err().contains("[internal] load metadata for " + demo), built.err());
        assertTrue(built.err().contains("pushing " + app), built.err());
        String digest = new ObjectMapper().readTree(metadata.toFile()).get("containerimage.digest").asText();

        Outcome pulled = ok("pull", "--root", root("c"), app);
        assertTrue(pulled.out().contains("Digest: " + digest + "\n"), pulled.out());
        Outcome again = ok("build", "--root", root("b"), "-o", "type=image,name=" + app + ",push=true",
                context.toString());
        // The stored base is used: BuildKit's metadata vertex is still shown, but after the definition's, where
        // a registry's load shows within it (planning waits for it).
        assertTrue(again.err().matches("(?s)#1 \\[internal\\] load build definition from Dockerfile\n"
                + "#1 transferring dockerfile: \\d+B done\n#1 DONE \\d+\\.\\ds\n\n"
                + "#2 \\[internal\\] load metadata for " + java.util.regex.Pattern.quote(demo) + "\n#2 DONE .*"),
                "the stored base is used: " + again.err());
    }

    @Test
    void buildPush_showsTheImageExporterThenAPushVertexPerName_asBuildxWithTheDockerDriver() throws Exception {
        RootOnly.require("root".equals(System.getProperty("user.name")), "wharf build");
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + demo + "\nCOPY app.txt /app.txt\n");
        Files.writeString(context.resolve("app.txt"), "app\n");
        String app = registry.host() + "/team/app:3";
        String other = registry.host() + "/team/other:3";
        Path metadata = dir.resolve("metadata.json");

        Outcome built = ok("build", "--root", root("a"), "--progress=plain", "--push", "-t", app, "-t", other,
                "--metadata-file", metadata.toString(), context.toString());

        // The peer (buildx 0.13.1, docker driver, dockerd 26): "#8 exporting to image", then "#9 pushing NAME with
        // docker" with one "pushing layer <diff ID>" per layer, then "#10" for the next name (build/build.go).
        String err = built.err();
        java.util.regex.Matcher exporter = java.util.regex.Pattern.compile("#(\\d+) exporting to image\n").matcher(err);
        assertTrue(exporter.find(), err);
        int n = Integer.parseInt(exporter.group(1));
        String tail = err.substring(exporter.start())
                .replaceAll("(?m)^#" + n + " ", "#A ").replaceAll("(?m)^#" + (n + 1) + " ", "#B ")
                .replaceAll("(?m)^#" + (n + 2) + " ", "#C ")
                .replaceAll(" \\d+\\.\\ds done", " done").replaceAll("DONE \\d+\\.\\ds", "DONE X")
                .replaceAll("sha256:[0-9a-f]{64}", "ID").replaceAll("pushing layer [0-9a-f]{12} ", "pushing layer L ");
        assertEquals("#A exporting to image\n#A exporting layers done\n#A writing image ID done\n"
                + "#A naming to " + app + " done\n#A naming to " + other + " done\n#A DONE X\n\n"
                + "#B pushing " + app + " with docker\n#B pushing layer L done\n#B pushing layer L done\n#B DONE X\n\n"
                + "#C pushing " + other + " with docker\n#C pushing layer L done\n#C pushing layer L done\n"
                + "#C DONE X\n", tail);
        // BuildKit's image exporter writes Docker media types by default: the pushed manifest, which the build
        // reports, is a schema 2 one.
        com.fasterxml.jackson.databind.JsonNode written = new ObjectMapper().readTree(metadata.toFile());
        assertEquals("application/vnd.docker.distribution.manifest.v2+json",
                written.at("/containerimage.descriptor/mediaType").asText(), written.toString());
    }

    @Test
    void aPulledDockerHubNameIsFoundByItsFamiliarName() {
        // Pulls name Docker Hub images by their full reference; docker finds them by the familiar one.
        ok("tag", "--root", root("a"), demo, "docker.io/library/pulled:2");
        assertTrue(ok("inspect", "--root", root("a"), "pulled:2").out().contains("docker.io/library/pulled:2"));
        ok("save", "--root", root("a"), "pulled:2", "-o", dir.resolve("pulled.tar").toString());
        assertTrue(Files.exists(dir.resolve("pulled.tar")));
        assertTrue(ok("inspect", "--root", root("a"), "docker.io/pulled:2").out()
                .contains("docker.io/library/pulled:2"));
        // rmi removes every spelling of the name and prints it as docker does, in its familiar form.
        assertEquals("Untagged: pulled:2\n", ok("rmi", "--root", root("a"), "pulled:2").out());
        assertEquals(1, wharf("inspect", "--root", root("a"), "pulled:2").exitCode());
        assertEquals(1, wharf("inspect", "--root", root("a"), "docker.io/library/pulled:2").exitCode());
    }
}
