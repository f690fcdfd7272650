package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static dev.wharf.cli.CliHarness.wharfWithStdin;
import dev.wharf.cli.CliHarness.Outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharf import}, {@code build}, {@code images} and {@code run} end to end, on a busybox image made by
 * {@code testdata/examples/busybox-rootfs.sh}. Needs root and busybox; skips without them, except under
 * {@code CI=true}.
 */
class BuildCommandTest {
    @TempDir
    Path dir;

    private String root() {
        return dir.resolve("store").toString();
    }

    private static void require(boolean condition, String reason) {
        if (!condition && "true".equals(System.getenv("CI"))) {
            fail("CI=true and a host requirement is missing: " + reason);
        }
        assumeTrue(condition, "skipped: " + reason);
    }

    @BeforeEach
    void importBusybox() throws IOException, InterruptedException {
        require("root".equals(System.getProperty("user.name")), "wharf build needs root for RUN");
        require(Files.isExecutable(Path.of("/usr/bin/busybox")) || Files.isExecutable(Path.of("/bin/busybox")),
                "busybox is missing; apt-get install busybox-static");
        Path tar = dir.resolve("busybox.tar");
        Process p = new ProcessBuilder(Path.of("..", "testdata", "examples", "busybox-rootfs.sh").toString(),
                tar.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, log);
        Outcome imported = wharf("import", "--root", root(), tar.toString(), "busybox:latest");
        assertEquals(0, imported.exitCode(), imported.err());
        assertTrue(imported.out().startsWith("sha256:"), imported.out());
    }

    @Test
    void build_printsPlainProgressAndTheImageIdThenRunsIt() {
        Outcome built = wharf("build", "--root", root(), "-t", "hello", "--progress", "plain",
                Path.of("..", "testdata", "examples", "hello").toString());
        assertEquals(0, built.exitCode(), built.err());
        // BuildKit's vertices: the Dockerfile's, the base image's metadata, the .dockerignore, the FROM of an image
        // and the filesystem steps, counted per stage as BuildKit does, the context's transfer before the first
        // step that reads it, then the exporter's.
        assertTrue(built.err().startsWith("#1 [internal] load build definition from Dockerfile\n"
                + "#1 transferring dockerfile: "), built.err());
        assertTrue(built.err().contains("\n\n#2 [internal] load metadata for docker.io/library/busybox:latest\n"
                + "#2 DONE 0.0s\n\n#3 [internal] load .dockerignore\n#3 transferring context: 2B done\n"), built.err());
        // An image of the store: BuildKit shows its source vertex as cached.
        assertTrue(built.err().contains("#4 [base 1/1] FROM docker.io/library/busybox:latest\n#4 CACHED\n"),
                built.err());
        assertTrue(built.err().contains("#5 [stage-1 1/3] WORKDIR /app\n"), built.err());
        assertTrue(built.err().contains("\n\n#6 [internal] load build context\n#6 transferring context: "),
                built.err());
        assertTrue(built.err().contains("#7 [stage-1 2/3] COPY --chmod=0755 hello.sh /app/hello.sh"), built.err());
        assertTrue(!built.err().contains("ENV GREETING") && !built.err().contains("] USER"), built.err());
        assertTrue(built.err().matches("(?s).*#8 DONE \\d+\\.\\ds.*"), built.err());
        assertTrue(built.err().matches("(?s).*#8 exporting layer (\\d+(\\.\\d+)?[kM]?B) / \\1(?: \\d+\\.\\ds)? done\n.*"),
                built.err());
        assertTrue(built.err().matches("(?s).*\n\n#9 exporting to image\n#9 exporting layers(?: \\d+\\.\\ds)? done\n"
                + "#9 writing image sha256:[0-9a-f]{64}(?: \\d+\\.\\ds)? done\n"
                + "#9 naming to docker.io/library/hello(?: \\d+\\.\\ds)? done\n"
                + "#9 DONE \\d+\\.\\ds\n"), built.err());
        String id = built.out().strip();
        assertTrue(id.matches("sha256:[0-9a-f]{64}"), built.out());

        Outcome again = wharf("build", "--root", root(), "-t", "hello", "--progress", "plain",
                Path.of("..", "testdata", "examples", "hello").toString());
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.err().contains("#8 CACHED"), again.err());
        assertEquals(id, again.out().strip());

        Outcome images = wharf("images", "--root", root());
        assertTrue(images.out().lines().anyMatch(l -> l.matches("hello +latest +[0-9a-f]{12} +.*")), images.out());

        Outcome run = wharf("run", "--root", root(), "hello");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("Hello from wharf (built on "), run.out());
    }

    @Test
    void equalStepsOfSiblingStages_showOneVertexEach_asBuildKitsMergedVertices() throws IOException {
        Path context = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(context.resolve("package.json"), "{}\n");
        Files.writeString(context.resolve("Dockerfile"), """
                FROM busybox:latest AS base
                RUN echo base > /base
                FROM base AS a
                WORKDIR /app
                COPY package.json .
                RUN echo a > /a
                FROM base AS b
                WORKDIR /app
                COPY package.json .
                RUN echo b > /b
                FROM busybox:latest
                COPY --from=a /a /a
                COPY --from=b /b /b
                """);
        Outcome built = wharf("build", "--root", root(), "--no-cache", "--progress", "plain", "-t", "shared",
                context.toString());
        assertEquals(0, built.exitCode(), built.err());
        // As the peer (dockerd 26) prints it with --no-cache: one vertex for the WORKDIR and the COPY a and b share,
        // under the stage that got there first, and one FROM for the image base and the last stage start from;
        // the stages' own steps keep their places ([a 3/3], [b 3/3]).
        // A vertex's header again after another's lines is the same line: count each once.
        List<String> headers = built.err().lines().filter(l -> l.matches("#\\d+ \\[(?!internal).*")).distinct()
                .toList();
        assertEquals(1, headers.stream().filter(l -> l.matches("#\\d+ \\[(a|b) 1/3\\] WORKDIR /app")).count(),
                built.err());
        assertEquals(1, headers.stream().filter(l -> l.matches("#\\d+ \\[(a|b) 2/3\\] COPY package.json \\."))
                .count(), built.err());
        assertEquals(1, headers.stream().filter(l -> l.endsWith("FROM docker.io/library/busybox:latest")).count(),
                built.err());
        assertTrue(headers.stream().anyMatch(l -> l.matches("#\\d+ \\[a 3/3\\] RUN echo a > /a")), built.err());
        assertTrue(headers.stream().anyMatch(l -> l.matches("#\\d+ \\[b 3/3\\] RUN echo b > /b")), built.err());
        // 1 FROM, the base's RUN, the shared WORKDIR and COPY, the two RUNs and the last stage's two COPYs, each once,
        // and with the four internal vertices (definition, metadata, .dockerignore, build context) numbered 1 to 12
        // without gaps.
        assertEquals(8, headers.size(), built.err());
        List<Integer> numbers = built.err().lines().filter(l -> l.matches("#\\d+ \\[.*")).distinct()
                .map(l -> Integer.parseInt(l.substring(1, l.indexOf(' ')))).sorted().toList();
        assertEquals(java.util.stream.IntStream.rangeClosed(1, 12).boxed().toList(), numbers, built.err());
    }

    @Test
    void explainCache_saysWhichInputChanged() throws IOException {
        Path context = Files.createDirectories(dir.resolve("explain"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nCOPY f /f\n");
        Files.writeString(context.resolve("f"), "one\n");
        assertEquals(0, wharf("build", "--root", root(), context.toString()).exitCode());
        Files.writeString(context.resolve("f"), "two\n");
        Outcome again = wharf("build", "--root", root(), "--explain-cache", context.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.err().contains("#6 cache miss: "), again.err());
        assertTrue(again.err().toLowerCase(java.util.Locale.ROOT).contains("context"), again.err());
    }

    @Test
    void failingRun_exitsWithOneAndNamesTheStep() throws IOException {
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo oops >&2; exit 3\n");
        Outcome built = wharf("build", "--root", root(), context.toString());
        assertEquals(1, built.exitCode(), built.err());
        assertTrue(built.err().matches("(?s).*#5 \\d+\\.\\d{3} oops\n.*"), built.err());
        // As BuildKit: the step's error, then buildx's last line for the solve's error.
        assertTrue(built.err().contains("#5 ERROR: process \"/bin/sh -c echo oops >&2; exit 3\" did not complete "
                + "successfully: exit code: 3\n------\n"), built.err());
        assertTrue(built.err().endsWith("ERROR: failed to solve: process \"/bin/sh -c echo oops >&2; exit 3\" did not "
                + "complete successfully: exit code: 3\n"), built.err());
        // BuildKit's error layout: the step's output tail between rules, then the marked Dockerfile lines.
        assertTrue(built.err().matches("(?s).*------\n > \\[2/2\\] RUN echo oops >&2; exit 3:\n"
                + "\\d+\\.\\d{3} oops\n------\nDockerfile:2\n-{20}\n   1 \\|     FROM busybox:latest\n"
                + "   2 \\| >>> RUN echo oops >&2; exit 3\n.*"), built.err());
        assertTrue(!built.err().contains("at dev.wharf"), "no stack trace: " + built.err());
    }

    @Test
    void rawjsonProgress_printsOneSolveStatusPerLine_andQuietOnlyTheId() throws IOException {
        Path context = Files.createDirectories(dir.resolve("json"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo made\n");
        Outcome built = wharf("build", "--root", root(), "--progress", "rawjson", context.toString());
        assertEquals(0, built.exitCode(), built.err());
        for (String line : built.err().lines().toList()) {
            assertTrue(line.startsWith("{\"vertexes\":") || line.startsWith("{\"logs\":")
                    || line.startsWith("{\"statuses\":") || line.startsWith("{\"warnings\":"), line);
        }
        assertTrue(built.err().contains("\"name\":\"[2/2] RUN echo made\""), built.err());
        Outcome quiet = wharf("build", "--root", root(), "--progress", "quiet", context.toString());
        assertEquals("", quiet.err());
        assertEquals(built.out(), quiet.out());
        Outcome q = wharf("build", "--root", root(), "-q", context.toString());
        assertEquals("", q.err());
        assertEquals(built.out(), q.out());
        // buildx: --progress=none shows nothing, not even the id.
        Outcome none = wharf("build", "--root", root(), "--progress", "none", context.toString());
        assertEquals(0, none.exitCode(), none.err());
        assertEquals("", none.out());
        assertEquals("", none.err());
    }

    @Test
    void dockerBuildFlagsOfCiScripts_areAccepted_andAddHostAndUlimitReachRun() throws IOException {
        Path context = Files.createDirectories(dir.resolve("flags"));
        Files.writeString(context.resolve("Dockerfile"),
                "FROM busybox:latest\nRUN grep db.local /etc/hosts; ulimit -n; df -k /dev/shm | tail -1\n");
        Outcome built = wharf("build", "--root", root(), "--progress", "plain", "--rm", "--force-rm=true", "--load",
                "--provenance=false", "--sbom=false", "--pull=false", "--no-cache=true", "--add-host",
                "db.local:10.0.0.5", "--ulimit", "nofile=512:1024", "--shm-size", "96m", context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().matches("(?s).*#5 \\d+\\.\\d{3} 10\\.0\\.0\\.5\tdb\\.local\n.*"), built.err());
        assertTrue(built.err().matches("(?s).*#5 \\d+\\.\\d{3} 512\n.*"), built.err());
        assertTrue(built.err().matches("(?s).*#5 \\d+\\.\\d{3} \\S+ +98304 .*/dev/shm\n.*"), built.err());
        assertTrue(!built.err().contains("WARNING"), built.err());

        Outcome attest = wharf("build", "--root", root(), "-q", "--sbom=true", context.toString());
        assertEquals(0, attest.exitCode(), attest.err());
        assertTrue(attest.err().contains("WARNING: wharf makes no provenance or SBOM attestations"), attest.err());

        Outcome badHost = wharf("build", "--root", root(), "--add-host", "db.local", context.toString());
        assertEquals(1, badHost.exitCode(), badHost.err());
        assertEquals("ERROR: invalid host db.local\n", badHost.err());
        Outcome badLimit = wharf("build", "--root", root(), "--ulimit", "nofile=9:3", context.toString());
        assertEquals(125, badLimit.exitCode(), badLimit.err());
        assertEquals("invalid argument \"nofile=9:3\" for \"--ulimit\" flag: ulimit soft limit must be less than or "
                + "equal to hard limit: 9 > 3\nSee 'wharf build --help'.\n", badLimit.err());
    }

    @Test
    void secretFromAnEnvironmentVariable_isMountedForRun() throws IOException {
        String home = System.getenv("HOME");
        org.junit.jupiter.api.Assumptions.assumeTrue(home != null && !home.isEmpty(), "HOME is set");
        Path context = Files.createDirectories(dir.resolve("envsecret"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nARG EXPECTED\n"
                + "RUN --mount=type=secret,id=home,required=true test \"$(cat /run/secrets/home)\" = \"$EXPECTED\"\n");
        Outcome built = wharf("build", "--root", root(), "--secret", "id=home,env=HOME", "--build-arg",
                "EXPECTED=" + home, context.toString());
        assertEquals(0, built.exitCode(), built.err());
    }

    @Test
    void history_listsTheStepsNewestFirstInDockersColumns() throws IOException {
        Path context = Files.createDirectories(dir.resolve("history"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nENV A=1\n"
                + "RUN echo 'a long command line that docker history cuts at forty-five characters' > /f\n");
        String id = wharf("build", "--root", root(), "-q", "-t", "hist", context.toString()).out().strip();
        assertTrue(id.startsWith("sha256:"), id);

        Outcome history = wharf("history", "--root", root(), "hist");
        assertEquals(0, history.exitCode(), history.err());
        List<String> lines = history.out().lines().toList();
        assertTrue(lines.get(0).matches("IMAGE +CREATED +CREATED BY +SIZE +COMMENT"), lines.get(0));
        assertTrue(lines.get(1).startsWith(id.substring(7, 19) + "   "), lines.get(1));
        assertTrue(lines.get(1).contains("RUN /bin/sh -c echo 'a long command line tha…"), lines.get(1));
        assertTrue(lines.get(1).endsWith("buildkit.dockerfile.v0"), lines.get(1));
        assertTrue(lines.get(2).matches("<missing> +.* ago +ENV A=1 +0B +buildkit\\.dockerfile\\.v0"), lines.get(2));
        assertTrue(lines.get(3).startsWith("<missing>") && lines.get(3).contains("wharf import"), lines.get(3));
        assertEquals(4, lines.size(), history.out());

        Outcome quiet = wharf("history", "--root", root(), "-q", "--no-trunc", "hist");
        assertEquals(List.of(id, "<missing>", "<missing>"), quiet.out().lines().toList());
        Outcome missing = wharf("history", "--root", root(), "nosuch");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("nosuch"), missing.err());
    }

    @Test
    void run_passesTheCommandAndItsExitCodeThrough() {
        Outcome run = wharf("run", "--root", root(), "busybox:latest", "sh", "-c", "echo out; echo err >&2; exit 4");
        assertEquals(4, run.exitCode());
        assertEquals(List.of("out"), run.out().lines().toList());
        assertEquals(List.of("err"), run.err().lines().toList());
    }

    @Test
    void labelsMetadataFileAndForeignPlatform() throws IOException {
        Path context = Files.createDirectories(dir.resolve("meta"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nLABEL a=1\n");
        Path metadata = dir.resolve("metadata.json");
        Outcome built = wharf("build", "--root", root(), "--label", "b=2", "-t", "meta:1", "-t",
                "docker.io/library/meta:1", "-t", "localhost:5000/team/app", "--metadata-file",
                metadata.toString(), context.toString());
        assertEquals(0, built.exitCode(), built.err());
        String json = Files.readString(metadata);
        assertTrue(json.contains("\"containerimage.config.digest\": \"" + built.out().strip() + "\""), json);
        // As dockerd's exporters (moby's SanitizeRepoAndTags): normalized names with their tag, each once.
        assertTrue(json.contains("\"image.name\": \"docker.io/library/meta:1,localhost:5000/team/app:latest\""),
                json);
        // The manifest's descriptor, decoded into an object as buildx writes it; keys in Go's sorted order.
        com.fasterxml.jackson.databind.JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json);
        com.fasterxml.jackson.databind.JsonNode descriptor = parsed.get("containerimage.descriptor");
        assertEquals("application/vnd.oci.image.manifest.v1+json", descriptor.get("mediaType").asText(), json);
        assertEquals(parsed.get("containerimage.digest").asText(), descriptor.get("digest").asText(), json);
        assertTrue(descriptor.get("size").asLong() > 0, json);
        assertEquals(List.of("buildx.build.ref", "containerimage.config.digest", "containerimage.descriptor",
                "containerimage.digest", "image.name"), java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(
                        parsed.fieldNames(), 0), false).toList(), json);
        Outcome foreign = wharf("build", "--root", root(), "--platform", "linux/s390x", context.toString());
        assertEquals(1, foreign.exitCode());
        assertTrue(foreign.err().contains("host's platform only"), foreign.err());
    }

    @Test
    void annotations_reachTheLayoutsManifestAndIndex_andBadOnesFailAsInBuildx() throws IOException {
        Path context = Files.createDirectories(dir.resolve("annotated"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\n");
        Path layout = dir.resolve("annotated-layout");
        Outcome built = wharf("build", "--root", root(), "--annotation", "org.example.a=1", "--annotation",
                "manifest-descriptor:org.example.d=2", "-o", "type=oci,tar=false,dest=" + layout, context.toString());
        assertEquals(0, built.exitCode(), built.err());
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode entry = json.readTree(layout.resolve("index.json").toFile())
                .get("manifests").get(0);
        assertEquals("2", entry.path("annotations").path("org.example.d").asText(), entry.toString());
        com.fasterxml.jackson.databind.JsonNode manifest = json.readTree(layout.resolve("blobs/sha256/"
                + entry.get("digest").asText().substring("sha256:".length())).toFile());
        assertEquals("1", manifest.path("annotations").path("org.example.a").asText(), manifest.toString());

        Outcome bad = wharf("build", "--root", root(), "--annotation", "novalue", context.toString());
        assertEquals(1, bad.exitCode());
        // buildx 0.13.1's words; newer ones add "parse annotations: ".
        assertEquals("ERROR: invalid annotation \"novalue\", expected key=value\n", bad.err());
        Outcome index = wharf("build", "--root", root(), "--annotation", "index:k=v", context.toString());
        assertEquals(1, index.exitCode());
        assertTrue(index.err().contains("index annotations not supported for single platform export"),
                index.err());
    }

    @Test
    void ociOutput_isATarballByDefault_namedAsBuildKitsExporterNamesIt() throws IOException {
        // BuildKit's exporter/oci writes a tarball unless tar=false, without docker's manifest.json, and names each
        // index entry as containerd's archive.WithManifest: the full name and, in ref.name, only the tag.
        Path context = Files.createDirectories(dir.resolve("ocitar"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo made > /made\n");
        Path oci = dir.resolve("image.oci.tar");
        Path docker = dir.resolve("image.docker.tar");
        Outcome built = wharf("build", "--root", root(), "-t", "team/app:1", "-t", "app", "-o", "type=oci,dest=" + oci,
                "-o", "type=docker,dest=" + docker, "--build-arg", "SOURCE_DATE_EPOCH=1700000000", context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(Files.isRegularFile(oci), "a file, not a layout directory");
        java.util.Map<String, String> entries = tarEntries(oci);
        assertEquals(java.util.Set.of("oci-layout", "index.json"), entries.keySet().stream()
                .filter(n -> !n.startsWith("blobs/")).collect(java.util.stream.Collectors.toSet()));
        String index = entries.get("index.json");
        // exporter/oci also dates the entry: SOURCE_DATE_EPOCH (else the export time) in time.RFC3339.
        assertTrue(index.contains("\"io.containerd.image.name\":\"docker.io/team/app:1\","
                + "\"org.opencontainers.image.created\":\"2023-11-14T22:13:20Z\","
                + "\"org.opencontainers.image.ref.name\":\"1\""), index);
        assertTrue(index.contains("\"io.containerd.image.name\":\"docker.io/library/app:latest\","
                + "\"org.opencontainers.image.created\":\"2023-11-14T22:13:20Z\","
                + "\"org.opencontainers.image.ref.name\":\"latest\""), index);
        // docker's manifest.json carries the familiar names, as containerd's familiarizeReference.
        String manifest = tarEntries(docker).get("manifest.json");
        assertTrue(manifest.contains("\"RepoTags\":[\"team/app:1\",\"app:latest\"]"), manifest);
        Outcome bad = wharf("build", "--root", root(), "-o", "type=local,tar=true,dest=x", context.toString());
        assertEquals(1, bad.exitCode(), bad.err());
        // Without -t, the output's own name= names the image (buildx: -o type=docker,name=app:2,dest=- | docker
        // load), and the metadata file reports it as image.name.
        Path named = dir.resolve("named.docker.tar");
        Path metadata = dir.resolve("named.json");
        Outcome byName = wharf("build", "--root", root(), "-o", "type=docker,name=team/named:2,dest=" + named,
                "--metadata-file", metadata.toString(), context.toString());
        assertEquals(0, byName.exitCode(), byName.err());
        String namedManifest = tarEntries(named).get("manifest.json");
        assertTrue(namedManifest.contains("\"RepoTags\":[\"team/named:2\"]"), namedManifest);
        assertTrue(Files.readString(metadata).contains("\"image.name\": \"docker.io/team/named:2\""),
                Files.readString(metadata));
    }

    @Test
    void rootFilesystemOutputsOnly_reportNoImageId_asDockerBuild() throws IOException {
        // docker build -q -o type=tar|local prints an empty line: BuildKit's local and tar exporters return no
        // containerimage digest.
        Path context = Files.createDirectories(dir.resolve("noimage"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo made > /made\n");
        Outcome built = wharf("build", "--root", root(), "-q", "-o", "type=tar,dest=" + dir.resolve("fs.tar"),
                context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertEquals("\n", built.out());
        assertTrue(Files.size(dir.resolve("fs.tar")) > 0);
        Outcome shown = wharf("build", "--root", root(), "--progress", "plain", "-o",
                "type=local,dest=" + dir.resolve("fs"), "-o", "type=tar,dest=" + dir.resolve("fs1.tar"),
                context.toString());
        // The exporters' vertexes as BuildKit names them (exporter/local, exporter/tar); no image exporter. Their
        // times are real: each status shows the time the engine measured for it when over 0.01 s, as BuildKit's
        // printer does (the peer: "#7 copying files 1.99MB 0.1s done", "#7 sending tarball 0.0s done"); copying
        // files shows the bytes BuildKit's file sync sent.
        assertTrue(shown.err().matches("(?s).*\n#(\\d+) exporting to client directory\n"
                + "#\\1 copying files \\d+\\.\\d\\dMB(?: \\d+\\.\\ds)? done\n#\\1 DONE \\d+\\.\\ds\n\n"
                + "#(\\d+) exporting to client tarball\n#\\2 sending tarball(?: \\d+\\.\\ds)? done\n"
                + "#\\2 DONE \\d+\\.\\ds\n"), shown.err());
        assertTrue(!shown.err().contains("exporting to image"), shown.err());
        Outcome both = wharf("build", "--root", root(), "-q", "-o", "type=tar,dest=" + dir.resolve("fs2.tar"), "-o",
                "type=oci,dest=" + dir.resolve("i.tar"), context.toString());
        assertEquals(0, both.exitCode(), both.err());
        assertTrue(both.out().startsWith("sha256:"), both.out());
    }

    @Test
    void iidfileBesideALocalOrTarOutput_isRefusedBeforeTheBuild_asBuildx() throws IOException {
        // buildx's toBuildOptions: any local or tar output with --iidfile, even next to an image output, fails
        // before the build, and before the old file is removed (the peer: "ERROR: local and tar exporters are
        // incompatible with image ID file", status 1; docker 20.10's client built and then failed with "cannot
        // write iid because server did not provide an image ID").
        Path context = Files.createDirectories(dir.resolve("iidlocal"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo made > /made\n");
        Path iid = Files.writeString(dir.resolve("old-iid"), "sha256:earlier");
        for (String[] outputs : new String[][] {{"-o", "type=local,dest=" + dir.resolve("fs")},
                {"-o", "type=oci,dest=" + dir.resolve("i.tar"), "-o", "type=tar,dest=" + dir.resolve("fs.tar")},
                {"-o", dir.resolve("shorthand").toString()}, {"-o", "-"},
                // a bare path with a '=' in it is a local output too (export.go), a directory named "dest=out"
                {"-o", "dest=out"},
                // before build/opt.go's destination checks (the peer: this, not "dest is required ...")
                {"-o", "type=local"}, {"-o", "type=local,dest=-"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("build", "--root", root(), "--iidfile",
                    iid.toString()));
            args.addAll(List.of(outputs));
            args.add(context.toString());
            Outcome refused = wharf(args.toArray(String[]::new));
            assertEquals(1, refused.exitCode(), refused.err());
            assertEquals("ERROR: local and tar exporters are incompatible with image ID file\n", refused.err());
            assertEquals("sha256:earlier", Files.readString(iid));
        }
        assertFalse(Files.exists(dir.resolve("fs")));
        assertFalse(Files.exists(dir.resolve("i.tar")));
    }

    private static java.util.Map<String, String> tarEntries(Path tar) throws IOException {
        java.util.Map<String, String> entries = new java.util.HashMap<>();
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
            for (var e = in.getNextTarEntry(); e != null; e = in.getNextTarEntry()) {
                entries.put(e.getName(), e.getName().startsWith("blobs/") ? ""
                        : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return entries;
    }

    @Test
    void ociExporterLines_nameTheOutputsOwnManifest_andTheManifestListOfAMultiPlatformBuild() throws IOException {
        Path context = Files.createDirectories(dir.resolve("ocilines"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo lines > /lines\n");
        Path single = dir.resolve("ocilines-single");
        Outcome built = wharf("build", "--root", root(), "--progress", "plain", "-t", "ocilines", "-o", "type=image",
                "-o", "type=oci,tar=false,dest=" + single, context.toString());
        assertEquals(0, built.exitCode(), built.err());
        // The oci output's manifest names its compressed layers: not the store's image that "writing image" names.
        String manifest = digestOf(Files.readString(single.resolve("index.json")));
        assertTrue(built.err().matches("(?s).*\n#(\\d+) exporting to oci image format\n"
                + "#\\1 exporting layers(?: \\d+\\.\\ds)? done\n#\\1 exporting manifest " + manifest + " done\n"
                + "#\\1 exporting config sha256:[0-9a-f]{64} done\n#\\1 sending tarball(?: \\d+\\.\\ds)? done\n"
                + "#\\1 DONE \\d+\\.\\ds\n"), built.err());
        // BUILDKIT_MULTI_PLATFORM=1: BuildKit's image writer adds "exporting manifest list sha256:..." after the
        // config (e.g. "#10 exporting manifest list sha256:0f76... 0.0s done"); the layout's entry is that index.
        Path multi = dir.resolve("ocilines-multi");
        Outcome indexed = wharf("build", "--root", root(), "--progress", "plain", "--build-arg",
                "BUILDKIT_MULTI_PLATFORM=1", "-o", "type=oci,tar=false,dest=" + multi, context.toString());
        assertEquals(0, indexed.exitCode(), indexed.err());
        String index = digestOf(Files.readString(multi.resolve("index.json")));
        assertTrue(indexed.err().matches("(?s).*\n#(\\d+) exporting to oci image format\n"
                + "#\\1 exporting layers(?: \\d+\\.\\ds)? done\n#\\1 exporting manifest " + manifest + " done\n"
                + "#\\1 exporting config sha256:[0-9a-f]{64} done\n#\\1 exporting manifest list " + index + " done\n"
                + "#\\1 sending tarball(?: \\d+\\.\\ds)? done\n#\\1 DONE \\d+\\.\\ds\n"), indexed.err());
        assertTrue(!manifest.equals(index), index);
    }

    /** The digest of the only entry of a layout's index.json. */
    private static String digestOf(String indexJson) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"digest\":\"(sha256:[0-9a-f]{64})\"")
                .matcher(indexJson);
        assertTrue(m.find(), indexJson);
        return m.group(1);
    }

    @Test
    void outputs_writeAnOciLayoutAndARootFilesystem_withoutTagging() throws IOException {
        Path context = Files.createDirectories(dir.resolve("out"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo made > /made\n");
        Path oci = dir.resolve("oci");
        Path rootfs = dir.resolve("rootfs");
        Outcome built = wharf("build", "--root", root(), "-t", "exported:1", "-o", "type=oci,tar=false,dest=" + oci,
                "--output", "type=local,dest=" + rootfs, context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertEquals("made\n", Files.readString(rootfs.resolve("made")));
        assertTrue(Files.isSymbolicLink(rootfs.resolve("bin/sh")));
        String index = Files.readString(oci.resolve("index.json"));
        // Named as BuildKit's client/ociindex names a layout entry: the full name, and the tag as ref.name.
        assertTrue(index.contains("\"io.containerd.image.name\":\"docker.io/library/exported:1\","), index);
        assertTrue(index.contains("\"org.opencontainers.image.ref.name\":\"1\""), index);
        // Only what an OCI layout holds: not the store's lock file or staging directory.
        try (var listing = Files.list(oci)) {
            assertEquals(java.util.Set.of("blobs", "index.json", "oci-layout"),
                    listing.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
        // Without a name the entry is tagged latest; an export into the layout adds to its index.
        assertEquals(0, wharf("build", "--root", root(), "-o", "type=oci,tar=false,dest=" + oci,
                context.toString()).exitCode());
        String both = Files.readString(oci.resolve("index.json"));
        assertTrue(both.contains("\"org.opencontainers.image.ref.name\":\"1\""), both);
        assertTrue(both.contains("\"org.opencontainers.image.ref.name\":\"latest\""), both);
        assertTrue(!wharf("images", "--root", root()).out().contains("exported"), "-o without type=image tags nothing");
        Outcome bad = wharf("build", "--root", root(), "-o", "type=cacheonly", context.toString());
        assertEquals(1, bad.exitCode(), bad.err());
        assertEquals("ERROR: output type cacheonly is not supported by wharf\n", bad.err());
        // As buildx: pushing needs a name (-t or name=); refused before anything is built.
        Outcome nameless = wharf("build", "--root", root(), "-o", "type=registry", context.toString());
        assertEquals(1, nameless.exitCode(), nameless.err());
        assertTrue(nameless.err().contains("tag is needed when pushing to registry"), nameless.err());
    }

    @Test
    void dockerAndTarOutputs_areReadableByOtherTools() throws Exception {
        require(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo is missing; apt-get install skopeo");
        Path context = Files.createDirectories(dir.resolve("archives"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo made > /made\n");
        Path docker = dir.resolve("image.tar");
        Path rootfs = dir.resolve("rootfs.tar");
        Outcome built = wharf("build", "--root", root(), "-t", "archived:1", "-o", "type=docker,dest=" + docker,
                "-o", "type=tar,dest=" + rootfs, context.toString());
        assertEquals(0, built.exitCode(), built.err());
        // Files made as any new file is (0666 less the umask), as docker's, not owner-only temp files.
        var usual = Files.getPosixFilePermissions(Files.createFile(dir.resolve("usual")));
        assertEquals(usual, Files.getPosixFilePermissions(docker));
        assertEquals(usual, Files.getPosixFilePermissions(rootfs));
        String inspected = command("skopeo", "inspect", "docker-archive:" + docker);
        assertTrue(inspected.contains("\"Os\": \"linux\""), inspected);
        String oci = command("skopeo", "inspect", "oci-archive:" + docker);
        assertTrue(oci.contains("\"Layers\""), oci);
        String listing = command("tar", "-tf", rootfs.toString());
        assertTrue(listing.lines().anyMatch(l -> l.equals("made")), listing);
        assertTrue(listing.lines().anyMatch(l -> l.equals("bin/busybox")), listing);
    }

    private static String command(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", args) + ": " + out);
        return out;
    }

    @Test
    void invalidTags_missingSecretFiles_andAMissingSshAgent_areReportedInBuildxsWords() throws Exception {
        Path context = Files.createDirectories(dir.resolve("words"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\n");
        // build/opt.go: each tag through distribution's reference.Parse, "ERROR: invalid tag ...".
        Outcome upper = wharf("build", "--root", root(), "-t", "Bad:Tag", context.toString());
        assertEquals(1, upper.exitCode(), upper.err());
        assertTrue(upper.err().contains("ERROR: invalid tag \"Bad:Tag\": repository name must be lowercase\n"),
                upper.err());
        Outcome format = wharf("build", "--root", root(), "-t", "ok:1", "-t", "bad@@", context.toString());
        assertTrue(format.err().contains("ERROR: invalid tag \"bad@@\": invalid reference format\n"), format.err());
        Outcome platform = wharf("build", "--root", root(), "--platform", "nonsense/x/y/z", context.toString());
        assertEquals(1, platform.exitCode(), platform.err());
        assertTrue(platform.err().contains("ERROR: \"nonsense/x/y/z\": cannot parse platform specifier: invalid "
                + "argument\n"), platform.err());
        Outcome secret = wharf("build", "--root", root(), "--secret", "id=s,src=/nonexistent/s", context.toString());
        assertEquals(1, secret.exitCode(), secret.err());
        assertTrue(secret.err().contains("ERROR: failed to stat /nonexistent/s: stat /nonexistent/s: no such file "
                + "or directory\n"), secret.err());
        // sshprovider/agentprovider.go: --ssh default (or an empty socket, default=) with no SSH_AUTH_SOCK; buildx
        // 0.13.1 returns it from its build.
        for (String ssh : List.of("default", "default=")) {
            ProcessBuilder child = CliHarness.processBuilder("build", "--root", root(), "--ssh", ssh,
                    context.toString()).redirectErrorStream(true);
            child.environment().remove("SSH_AUTH_SOCK");
            Process p = child.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(1, p.waitFor(), out);
            assertEquals("ERROR: invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set\n", out);
        }
    }

    @Test
    void secretFlag_reachesRunMounts_andBadNetworkIsUsage() throws IOException {
        Path context = Files.createDirectories(dir.resolve("secret"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\n"
                + "RUN --mount=type=secret,id=tok,required test \"$(cat /run/secrets/tok)\" = abc\n");
        Path tok = Files.writeString(dir.resolve("tok"), "abc");
        Outcome built = wharf("build", "--root", root(), "--secret", "id=tok,src=" + tok, context.toString());
        assertEquals(0, built.exitCode(), built.err());
        Outcome badSecret = wharf("build", "--root", root(), "--secret", "tok", context.toString());
        assertEquals(1, badSecret.exitCode(), badSecret.err());
        assertEquals("ERROR: invalid field 'tok' must be a key=value pair\n", badSecret.err());
        // buildx refuses the mode in its build (ERROR, exit 1), not as a malformed flag.
        assertEquals(1, wharf("build", "--root", root(), "--network", "bridge", context.toString()).exitCode());
    }

    @Test
    void cacheToAndCacheFrom_shareTheStepCacheWithAnotherStore_andBadValuesFailTheBuild() throws IOException {
        Path context = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN date +%N > /stamp\n");
        Path cache = dir.resolve("cache");
        Outcome first = wharf("build", "--root", root(), "--cache-to", "type=local,dest=" + cache + ",mode=max",
                context.toString());
        assertEquals(0, first.exitCode(), first.err());
        // The other machine: the same base image (saved and loaded, so its digest is the same), an empty cache.
        String other = dir.resolve("other-store").toString();
        Path base = dir.resolve("base");
        assertEquals(0, wharf("save", "--root", root(), "busybox:latest", "-o", base.toString(), "--format",
                "oci-dir").exitCode());
        assertEquals(0, wharf("load", "--root", other, "-i", base.toString()).exitCode());
        Outcome second = wharf("build", "--root", other, "--progress", "plain", "--cache-from",
                "type=local,src=" + cache, context.toString());
        assertEquals(0, second.exitCode(), second.err());
        assertEquals(first.out(), second.out(), "the same image: the RUN layer came from the cache");
        assertTrue(second.err().contains("CACHED"), second.err());
        // Refusals of the build, as buildx's are ("ERROR: ..." and 1), not usage errors.
        Outcome bad = wharf("build", "--root", root(), "--cache-to", "type=gha", context.toString());
        assertEquals(1, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("type=gha is not supported"), bad.err());
        // BuildKit takes a mode other than min or max as min (control.go, logged at debug level only).
        Path all = dir.resolve("cache-all");
        Outcome modeAll = wharf("build", "--root", root(), "--cache-to", "type=local,dest=" + all + ",mode=all",
                context.toString());
        assertEquals(0, modeAll.exitCode(), modeAll.err());
        assertTrue(Files.isRegularFile(all.resolve("index.json")), "the cache was exported");
    }

    @Test
    void aCacheFromListOfReferences_isOneRegistryCacheEach_asBuildxSplitsIt() throws Exception {
        Path context = Files.createDirectories(dir.resolve("ref-list"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN date +%N > /stamp\n");
        try (dev.wharf.layers.registry.LocalRegistry registry = dev.wharf.layers.registry.LocalRegistry.start(
                Files.createDirectories(dir.resolve("registry")), new dev.wharf.layers.registry.LocalRegistry.NoAuth())) {
            String cache = registry.host() + "/team/cache:1";
            String missing = registry.host() + "/team/missing:1";
            Outcome first = wharf("build", "--root", root(), "--cache-to", "type=registry,ref=" + cache,
                    context.toString());
            assertEquals(0, first.exitCode(), first.err());
            String other = dir.resolve("ref-list-store").toString();
            Path base = dir.resolve("ref-list-base");
            assertEquals(0, wharf("save", "--root", root(), "busybox:latest", "-o", base.toString(), "--format",
                    "oci-dir").exitCode());
            assertEquals(0, wharf("load", "--root", other, "-i", base.toString()).exitCode());

            // buildx 0.13 ParseCacheEntry: a value without "=" is a CSV list, each field a registry cache (the
            // peer imports 127.0.0.1:5000/nocache1 and /nocache2 for --cache-from .../nocache1,.../nocache2).
            Outcome second = wharf("build", "--root", other, "--progress", "plain", "--cache-from",
                    missing + "," + cache, context.toString());

            assertEquals(0, second.exitCode(), second.err());
            assertTrue(second.err().contains("importing cache manifest from " + missing), second.err());
            assertTrue(second.err().contains("importing cache manifest from " + cache), second.err());
            assertEquals(first.out(), second.out(), "the same image: the RUN layer came from the second cache");
            assertTrue(second.err().contains("CACHED"), second.err());

            // The same cache given twice is imported once, as BuildKit shows one import vertex for it.
            Outcome twice = wharf("build", "--root", other, "--progress", "plain", "--cache-from", cache,
                    "--cache-from", "type=registry,ref=" + cache, context.toString());
            assertEquals(0, twice.exitCode(), twice.err());
            assertEquals(1, twice.err().split("importing cache manifest from", -1).length - 1, twice.err());
        }
    }

    @Test
    void anUnreachableOrMissingRegistryCache_failsOnlyItsImportStep_inBuildKitsWords() throws Exception {
        Path context = Files.createDirectories(dir.resolve("cache-unreachable"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nLABEL a=b\n");
        String refused = "127.0.0.1:" + dev.wharf.layers.registry.LocalRegistry.freePort();
        String q = java.util.regex.Pattern.quote(refused);

        Outcome built = wharf("build", "--root", root(), "--progress", "plain", "--cache-from",
                "type=registry,ref=" + refused + "/cache:x", context.toString());

        // The peer (buildx 0.13.1, docker driver) builds on: the import step fails with the registry importer's
        // resolver error (https first at a loopback registry), the display ends with that step's block, and
        // there is no warning besides.
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().matches("(?s).*\n#(\\d+) importing cache manifest from " + q + "/cache:x\n#\\1 ERROR: "
                + "failed to configure registry cache importer: failed to do request: Head \"https://" + q
                + "/v2/cache/manifests/x\": dial tcp " + q + ": connect: connection refused\n.*"), built.err());
        assertTrue(built.err().matches("(?s).*\n#\\d+ DONE \\d+\\.\\ds\n------\n > importing cache manifest from " + q
                + "/cache:x:\n------\n"), built.err());
        assertFalse(built.err().contains("warning") || built.err().contains("WARNING"), built.err());
        assertTrue(built.out().startsWith("sha256:"), built.out());

        try (dev.wharf.layers.registry.LocalRegistry registry = dev.wharf.layers.registry.LocalRegistry.start(
                Files.createDirectories(dir.resolve("registry-missing")),
                new dev.wharf.layers.registry.LocalRegistry.NoAuth())) {
            Outcome missing = wharf("build", "--root", root(), "--progress", "plain", "--cache-from",
                    "type=registry,ref=" + registry.host() + "/nocache", context.toString());
            assertEquals(0, missing.exitCode(), missing.err());
            // containerd's "REF: not found", the reference with the :latest the importer gives it.
            assertTrue(missing.err().contains(" ERROR: failed to configure registry cache importer: "
                    + registry.host() + "/nocache:latest: not found\n"), missing.err());
            assertTrue(missing.err().endsWith("------\n > importing cache manifest from " + registry.host()
                    + "/nocache:\n------\n"), missing.err());
        }
    }

    @Test
    void emptyCacheToOrCacheFrom_isSkipped_asBuildxSince014() throws IOException {
        // buildx 0.13 failed an empty value with encoding/csv's "EOF"; later releases skip it, which keeps
        // `--cache-from "$CACHE"` with the variable unset working.
        Path context = Files.createDirectories(dir.resolve("empty-cache"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nLABEL a=b\n");
        for (String flag : List.of("--cache-to", "--cache-from")) {
            Outcome built = wharf("build", "--root", root(), "--progress", "plain", flag, "", context.toString());
            assertEquals(0, built.exitCode(), built.err());
            assertFalse(built.err().contains("cache manifest"), built.err());
        }
    }

    @Test
    void badProgressValue_failsAsBuildxsPrinterRefusesIt() {
        Outcome built = wharf("build", "--root", root(), "--progress", "fancy", dir.toString());
        assertEquals(1, built.exitCode());
        assertEquals("ERROR: invalid progress mode fancy\n", built.err());
    }

    @Test
    void tarContextOnStdin_isBuilt() throws Exception {
        Path context = Files.createDirectories(dir.resolve("tarctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nCOPY f /f\nRUN cat /f\n");
        Files.writeString(context.resolve("f"), "from a tar on stdin\n");
        Path tgz = dir.resolve("ctx.tgz");
        Process p = new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", context.toString(), ".").start();
        assertEquals(0, p.waitFor());
        Outcome built = wharfWithStdin(Files.readAllBytes(tgz), "build", "--root", root(), "--progress", "plain",
                "-t", "fromtar", "-");
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().contains("from a tar on stdin"), built.err());
        assertTrue(built.out().strip().matches("sha256:[0-9a-f]{64}"), built.out());
    }

    @Test
    void dockerfileOnStdin_withADirectoryContext() throws Exception {
        Path context = Files.createDirectories(dir.resolve("dirctx"));
        Files.writeString(context.resolve("f"), "context file\n");
        Outcome built = wharfWithStdin("FROM busybox:latest\nCOPY f /f\nRUN cat /f\n".getBytes(),
                "build", "--root", root(), "--progress", "plain", "-f", "-", context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().contains("context file"), built.err());
    }

    @Test
    void dockerfileAloneOnStdin_hasAnEmptyContext_asDockerBuild() throws Exception {
        // docker build - < Dockerfile (docker 26, buildx's LoadInputs): the context is an empty directory.
        Outcome built = wharfWithStdin("FROM busybox:latest\nCOPY . /c\nRUN echo \"[$(ls -A /c)]\"\n".getBytes(),
                "build", "--root", root(), "--progress", "plain", "-");
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().contains("\n[]") || built.err().contains(" []"), built.err());
        assertFalse(built.err().contains("[Dockerfile]"), built.err());
    }

    @Test
    void stdinForBothContextAndDockerfile_failsAsBuildx() {
        Outcome built = wharfWithStdin(new byte[0], "build", "--root", root(), "-f", "-", "-");
        // buildx 0.13.1: exit status 1 and this line.
        assertEquals(1, built.exitCode(), built.err());
        assertEquals("ERROR: invalid argument: can't use stdin for both build context and dockerfile",
                built.err().strip(), built.err());
    }

    @Test
    void missingContextPath_failsInDockersWords() {
        // buildx and docker 20.10 alike: "ERROR: unable to prepare context: path ... not found", exit 1.
        Outcome built = wharf("build", "--root", root(), dir.resolve("nope").toString());
        assertEquals(1, built.exitCode(), built.err());
        assertEquals("ERROR: unable to prepare context: path \"" + dir.resolve("nope") + "\" not found\n",
                built.err());
    }

    @Test
    void buildContext_namesADirectoryForCopyFromAndFrom() throws Exception {
        Path context = Files.createDirectories(dir.resolve("main"));
        Path extra = Files.createDirectories(dir.resolve("extra"));
        Files.writeString(extra.resolve("e.txt"), "extra context\n");
        Files.writeString(context.resolve("Dockerfile"),
                "FROM busybox:latest\nCOPY --from=extra e.txt /e.txt\nRUN cat /e.txt\n");
        Outcome built = wharf("build", "--root", root(), "--progress", "plain", "--build-context",
                "extra=" + extra, context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().contains("extra context"), built.err());
    }

    @Test
    void badBuildContext_isAnErrorOfTheBuild_asInBuildx() {
        Outcome built = wharf("build", "--root", root(), "--build-context", "novalue", dir.toString());
        assertEquals(1, built.exitCode(), built.err());
        assertTrue(built.err().contains("expected key=value"), built.err());
    }
}
