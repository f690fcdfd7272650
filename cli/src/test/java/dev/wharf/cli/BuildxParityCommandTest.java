package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static dev.wharf.cli.CliHarness.wharfWithStdin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.CliHarness.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharf build} flags whose behaviour follows docker buildx's command line (commands/build.go,
 * build/opt.go, util/buildflags): outputs to standard output, {@code --call}. Needs root and busybox; skips without
 * them, except under {@code CI=true}.
 */
class BuildxParityCommandTest {
    @TempDir
    Path dir;

    private Path root;

    @BeforeEach
    void importBusybox() throws IOException, InterruptedException {
        root = dir.resolve("store");
        CliHarness.importBusybox(dir, root);
    }

    private Path context(String name, String dockerfile) throws IOException {
        Path context = Files.createDirectories(dir.resolve(name));
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        return context;
    }

    /** Runs wharf in a child JVM with standard output to a file (a tarball is binary) and stdin from /dev/null. */
    private int run(Path stdout, Path stderr, String... args) throws IOException, InterruptedException {
        Process p = CliHarness.processBuilder(args).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "wharf build did not end");
        return p.exitValue();
    }

    private static Map<String, TarArchiveEntry> entries(Path tar) throws IOException {
        Map<String, TarArchiveEntry> entries = new TreeMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextTarEntry(); e != null; e = in.getNextTarEntry()) {
                entries.put(e.getName(), e);
            }
        }
        return entries;
    }

    @Test
    void dashOutput_andTarWithoutDest_writeTheRootFilesystemTarToStdout_andNothingElse() throws Exception {
        // buildx: "-o -" is type=tar,dest=-; a tar output without dest goes to stdout too (build/opt.go).
        Path context = context("tostdout", "FROM busybox:latest AS b\n"
                + "RUN mkdir -p /out/d && echo hi > /out/d/f && chmod 0640 /out/d/f && ln -s d/f /out/l\n"
                + "FROM scratch\nCOPY --from=b /out /\n");
        Path stdout = dir.resolve("stdout.tar");
        Path stderr = dir.resolve("stderr.txt");
        assertEquals(0, run(stdout, stderr, "build", "--root", root.toString(), "--progress", "plain", "-o", "-",
                context.toString()), () -> read(stderr));
        Map<String, TarArchiveEntry> entries = entries(stdout);
        assertEquals(java.util.Set.of("d/", "d/f", "l"), entries.keySet());
        assertEquals(0640, entries.get("d/f").getMode() & 07777);
        assertEquals("d/f", entries.get("l").getLinkName());
        assertTrue(read(stderr).contains("exporting to client tarball"), read(stderr));
        // No image id after the tarball, and no directory named '-'.
        assertFalse(Files.exists(Path.of("-")));
        assertEquals(0, run(stdout, stderr, "build", "--root", root.toString(), "-q", "-o", "type=tar",
                context.toString()), () -> read(stderr));
        assertEquals(entries.keySet(), entries(stdout).keySet());
        assertEquals(0, Files.size(stdout) % 512, "only the tarball's 512-byte records on stdout, no id line");
    }

    @Test
    void outputsThatCannotGoToStdout_areRefusedInBuildxsWords() throws IOException {
        Path context = context("refused", "FROM busybox:latest\n");
        Outcome twice = wharf("build", "--root", root.toString(), "-o", "-", "-o", "type=tar", context.toString());
        assertEquals(1, twice.exitCode(), twice.err());
        assertTrue(twice.err().contains("multiple outputs configured to write to stdout"), twice.err());
        Outcome localNoDest = wharf("build", "--root", root.toString(), "-o", "type=local", context.toString());
        assertEquals(1, localNoDest.exitCode(), localNoDest.err());
        assertTrue(localNoDest.err().contains("dest is required for local exporter"), localNoDest.err());
        Outcome localStdout = wharf("build", "--root", root.toString(), "-o", "type=local,dest=-",
                context.toString());
        assertEquals(1, localStdout.exitCode(), localStdout.err());
        assertTrue(localStdout.err().contains("dest cannot be stdout for local exporter"), localStdout.err());
        // buildx: a docker output without dest loads into the image store (wharf's local store).
        Outcome loaded = wharf("build", "--root", root.toString(), "-q", "-o", "type=docker,name=loaded:1",
                context.toString());
        assertEquals(0, loaded.exitCode(), loaded.err());
        assertTrue(wharf("images", "--root", root.toString()).out().contains("loaded "), "tagged into the store");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Outcome localOnFile = wharf("build", "--root", root.toString(), "-o", "type=local,dest=" + file,
                context.toString());
        assertEquals(1, localOnFile.exitCode(), localOnFile.err());
        assertTrue(localOnFile.err().contains("destination directory " + file + " is a file"), localOnFile.err());
        Outcome barePathOnFile = wharf("build", "--root", root.toString(), "-o", file.toString(), context.toString());
        assertEquals(1, barePathOnFile.exitCode(), barePathOnFile.err());
        Outcome tarOnDirectory = wharf("build", "--root", root.toString(), "-o", "type=tar,dest=" + dir,
                context.toString());
        assertEquals(1, tarOnDirectory.exitCode(), tarOnDirectory.err());
        assertTrue(tarOnDirectory.err().contains("destination file " + dir + " is a directory"),
                tarOnDirectory.err());
    }

    @Test
    void callTargets_listsTheStagesWithTheirDescriptions_asBuildxPrintsThem() throws IOException {
        // frontend/dockerfile/dockerfile2llb ListTargets + subrequests/targets PrintTargets (Go tabwriter padding):
        // the description is the comment above FROM that starts with the lower-cased stage name and a space.
        Path context = context("targets", """
                ARG V=1
                # deps fetch the dependencies
                FROM busybox:latest AS deps
                FROM busybox:latest
                # Build compiles it
                FROM deps AS Build
                # runtime the runtime image
                FROM busybox:latest AS runtime
                """);
        Outcome listed = wharf("build", "--root", root.toString(), "--call", "targets", context.toString());
        assertEquals(0, listed.exitCode(), listed.err());
        assertEquals("""
                TARGET            DESCRIPTION
                deps              fetch the dependencies
                                 \s
                build            \s
                runtime (default) the runtime image
                """, listed.out());
        assertFalse(wharf("images", "--root", root.toString()).out().contains("<none>"), "nothing was built");
        Outcome unsupported = wharf("build", "--root", root.toString(), "--call", "describe", context.toString());
        assertEquals(1, unsupported.exitCode(), unsupported.err());
        assertEquals("ERROR: unsupported request frontend.describe\n", unsupported.err());
        Outcome bad = wharf("build", "--root", root.toString(), "--call", "targets,colour=red", context.toString());
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("invalid print field: colour=red"), bad.err());
    }

    @Test
    void callOutline_listsTheTargetsArgsSecretsAndSsh_asBuildxPrintsBuildKitsOutline() throws IOException {
        // Expected text from frontend/subrequests/outline/outline.go PrintOutline and dockerfile2llb's bookkeeping:
        // BASE's default reads ALPINE (listed too), the dependency stage's ARGs and mounts count, the predefined
        // TARGETARCH taken from the global scope is no build argument of the Dockerfile, lines order each table,
        // and BIN's default reads the base image's PATH (BuildKit resolves the needed stages' base images).
        Path context = context("outline", """
                ARG TAG=latest
                ARG ALPINE=3.20
                # BASE sets the base image
                ARG BASE=busybox:${ALPINE}
                ARG UNUSED=1

                FROM busybox:${TAG} AS build
                # CGO_ENABLED turns cgo on or off
                ARG CGO_ENABLED=0
                ARG TARGETARCH
                RUN --mount=type=secret,id=token,required --mount=type=ssh true

                # release the final image
                FROM ${BASE} AS release
                ARG VERSION
                ARG BIN=$PATH
                RUN --mount=type=secret,target=/run/secrets/npmrc true
                COPY --from=build /x /x
                """);
        Outcome outline = wharf("build", "--root", root.toString(), "--call=outline", "--build-arg",
                "ALPINE=latest", context.toString());
        assertEquals(0, outline.exitCode(), outline.err());
        assertEquals("""
                TARGET:      release
                DESCRIPTION: the final image

                BUILD ARG     VALUE                                                          DESCRIPTION
                TAG           latest                                                        \s
                ALPINE        latest                                                        \s
                BASE          busybox:latest                                                 sets the base image
                CGO_ENABLED   0                                                              turns cgo on or off
                VERSION                                                                     \s
                BIN           /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin  \s

                SECRET   REQUIRED
                token    true
                npmrc   \s

                SSH       REQUIRED
                default  \s

                """, outline.out());

        Outcome build = wharf("build", "--root", root.toString(), "--call", "outline", "--target", "build",
                context.toString());
        assertEquals(0, build.exitCode(), build.err());
        assertEquals("""
                TARGET: build

                BUILD ARG     VALUE    DESCRIPTION
                TAG           latest  \s
                CGO_ENABLED   0        turns cgo on or off

                SECRET   REQUIRED
                token    true

                SSH       REQUIRED
                default  \s

                """, build.out());
        // The base images are looked up as for a build: one the store and registries lack fails the outline.
        Outcome unresolved = wharf("build", "--root", root.toString(), "--call", "outline", context.toString());
        assertEquals(1, unresolved.exitCode(), unresolved.out());
        assertTrue(unresolved.err().contains("busybox:3.20"), unresolved.err());
        Outcome missing = wharf("build", "--root", root.toString(), "--call", "outline", "--target", "nosuch",
                context.toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("target stage \"nosuch\" could not be found"), missing.err());
        assertFalse(wharf("images", "--root", root.toString()).out().contains("<none>"), "nothing was built");
    }

    @Test
    void callTargetsAndOutline_withFormatJson_printBuildKitsResultJson() throws IOException {
        // frontend/subrequests/targets.List and outline.Outline through json.MarshalIndent(v, "", "  "): omitempty
        // fields left out, HTML characters escaped as Go escapes them, one location range per line of the
        // instruction (parser/errors.go toRanges), the Dockerfile base64 in sources; buildx adds a newline.
        String dockerfile = """
                # app builds <it> & more
                FROM --platform=$BUILDPLATFORM busybox:latest AS app
                ARG NAME=a&b
                RUN --mount=type=secret,id=tok,required \\
                    true
                FROM app
                """;
        Path context = context("json", dockerfile);
        String source = java.util.Base64.getEncoder().encodeToString(dockerfile.getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        Outcome targets = wharf("build", "--root", root.toString(), "--call", "targets,format=json",
                context.toString());
        assertEquals(0, targets.exitCode(), targets.err());
        assertEquals("""
                {
                  "targets": [
                    {
                      "name": "app",
                      "description": "builds \\u003cit\\u003e \\u0026 more",
                      "base": "busybox:latest",
                      "platform": "$BUILDPLATFORM",
                      "location": {
                        "ranges": [
                          {
                            "start": {
                              "line": 2
                            },
                            "end": {
                              "line": 2
                            }
                          }
                        ]
                      }
                    },
                    {
                      "default": true,
                      "base": "app",
                      "location": {
                        "ranges": [
                          {
                            "start": {
                              "line": 6
                            },
                            "end": {
                              "line": 6
                            }
                          }
                        ]
                      }
                    }
                  ],
                  "sources": [
                    "SOURCE"
                  ]
                }
                """.replace("SOURCE", source), targets.out());
        Outcome outline = wharf("build", "--root", root.toString(), "--call", "outline,format=json",
                context.toString());
        assertEquals(0, outline.exitCode(), outline.err());
        assertEquals("""
                {
                  "args": [
                    {
                      "name": "NAME",
                      "value": "a\\u0026b",
                      "location": {
                        "ranges": [
                          {
                            "start": {
                              "line": 3
                            },
                            "end": {
                              "line": 3
                            }
                          }
                        ]
                      }
                    }
                  ],
                  "secrets": [
                    {
                      "name": "tok",
                      "required": true,
                      "location": {
                        "ranges": [
                          {
                            "start": {
                              "line": 4
                            },
                            "end": {
                              "line": 4
                            }
                          },
                          {
                            "start": {
                              "line": 5
                            },
                            "end": {
                              "line": 5
                            }
                          }
                        ]
                      }
                    }
                  ],
                  "sources": [
                    "SOURCE"
                  ]
                }
                """.replace("SOURCE", source), outline.out());
        // Any other format is the text, as buildx's printValue prints it.
        Outcome text = wharf("build", "--root", root.toString(), "--call", "targets,format=table",
                context.toString());
        assertEquals(wharf("build", "--root", root.toString(), "--call", "targets", context.toString()).out(),
                text.out());
    }

    @Test
    void callCheck_isTheCheckFlag_andIgnorestatusExitsZeroOnWarnings() throws IOException {
        Path context = context("lint", "from busybox:latest AS base\nRUN true\n");
        Outcome checked = wharf("build", "--root", root.toString(), "--call=check", context.toString());
        assertEquals(1, checked.exitCode(), checked.err());
        assertTrue(checked.out().startsWith("Check complete, 2 warnings have been found!"), checked.out());
        Outcome ignored = wharf("build", "--root", root.toString(), "--call", "check,ignorestatus=true",
                context.toString());
        assertEquals(0, ignored.exitCode(), ignored.err());
        assertEquals(checked.out(), ignored.out());
    }

    @Test
    void multiTagBuild_andSpellingsOfADockerHubName_areOneImageName_asDocker() throws IOException {
        Path context = context("names", "FROM busybox:latest\nRUN echo named > /n\n");
        String r = root.toString();
        Outcome built = wharf("build", "--root", r, "-q", "-t", "docker.io/library/named:1", "-t", "named:2",
                context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertEquals(0, wharf("tag", "--root", r, "named:2", "index.docker.io/library/named:1").exitCode());
        assertEquals(0, wharf("tag", "--root", r, "named:2", "named:1").exitCode());
        String names = wharf("images", "--root", r, "--format", "{{.Repository}}:{{.Tag}}").out();
        assertEquals(List.of("busybox:latest", "named:1", "named:2"), names.lines().sorted().toList());
        Outcome removed = wharf("rmi", "--root", r, "docker.io/library/named:1", "index.docker.io/library/named:2");
        assertEquals(0, removed.exitCode(), removed.err());
        // daemon/images/image_delete.go prints reference.FamiliarString of what it untagged.
        assertEquals("Untagged: named:1\nUntagged: named:2\n", removed.out());
        assertEquals("busybox:latest\n", wharf("images", "--root", r, "--format", "{{.Repository}}:{{.Tag}}").out());
    }

    @Test
    void labelWithoutValue_isEmpty_andBuildArgWithoutValue_comesFromTheEnvironment_asDockerBuild() throws Exception {
        // buildx listToMap: --label KEY is KEY="" (over the Dockerfile's LABEL); --build-arg KEY takes $KEY when set
        // (even empty) and leaves the ARG's default otherwise. Checked against docker build on the peers' dockerd.
        Path context = context("kv", "FROM busybox:latest\nARG X\nARG Y=dflt\nLABEL a=df x=$X y=$Y\n");
        Path stdout = dir.resolve("kv.out");
        Path stderr = dir.resolve("kv.err");
        ProcessBuilder builder = CliHarness.processBuilder("build", "--root", root.toString(), "-q", "--label", "a",
                "--label", "n=", "--build-arg", "X", "--build-arg", "Y", "-t", "kv", context.toString())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().put("X", "fromenv");
        builder.environment().remove("Y");
        Process p = builder.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS) && p.exitValue() == 0, () -> read(stderr));
        Outcome labels = wharf("inspect", "--root", root.toString(), "--format", "{{json .Config.Labels}}", "kv");
        assertEquals("{\"a\":\"\",\"n\":\"\",\"x\":\"fromenv\",\"y\":\"dflt\"}\n", labels.out(), labels.err());
        for (String[] bad : new String[][] {{"--label", "=a"}, {"--build-arg", "=b"}}) {
            Outcome refused = wharf("build", "--root", root.toString(), bad[0], bad[1], context.toString());
            // Measured with buildx 0.13: "ERROR: invalid key-value pair "=a": empty key", exit 1.
            assertEquals(1, refused.exitCode(), refused.err());
            assertEquals("ERROR: invalid key-value pair \"" + bad[1] + "\": empty key\n", refused.err());
        }
    }

    @Test
    void buildNetwork_keysRunStepsWithoutTheirOwnNetwork_asBuildKitsExecOp() throws IOException {
        // dockerfile2llb/convert.go: d.state.Network(opt.NetworkMode); a RUN --network=none has its own mode.
        Path context = context("netkey", "FROM busybox:latest AS own\nRUN --network=none echo own > /own\n"
                + "FROM busybox:latest\nRUN echo plain > /plain\nCOPY --from=own /own /own\n");
        String r = root.toString();
        assertEquals(0, wharf("build", "--root", r, context.toString()).exitCode());
        Outcome none = wharf("build", "--root", r, "--progress", "plain", "--network", "none", context.toString());
        assertEquals(0, none.exitCode(), none.err());
        assertFalse(cached(none.err(), "[stage-1 2/3] RUN echo plain > /plain"), none.err());
        assertTrue(cached(none.err(), "[own 2/2] RUN --network=none echo own > /own"), none.err());
        Outcome again = wharf("build", "--root", r, "--progress", "plain", "--network", "none", context.toString());
        assertTrue(cached(again.err(), "[stage-1 2/3] RUN echo plain > /plain"), again.err());
        Outcome back = wharf("build", "--root", r, "--progress", "plain", context.toString());
        assertTrue(cached(back.err(), "[stage-1 2/3] RUN echo plain > /plain"), back.err());
    }

    @Test
    void allowNetworkHost_grantsRunNetworkHost_andUnknownEntitlementsAreRefused() throws IOException {
        // buildx --allow (util/buildflags/entitlements.go; BuildKit util/entitlements Parse).
        Path context = context("allow", "FROM busybox:latest\nRUN --network=host echo host-step\n");
        String r = root.toString();
        Outcome denied = wharf("build", "--root", r, context.toString());
        assertEquals(1, denied.exitCode(), denied.err());
        assertTrue(denied.err().contains("network.host is not allowed"), denied.err());
        Outcome allowed = wharf("build", "--root", r, "--progress", "plain", "--allow", "network.host",
                context.toString());
        assertEquals(0, allowed.exitCode(), allowed.err());
        assertTrue(allowed.err().contains(" host-step\n"), allowed.err());
        Outcome unknown = wharf("build", "--root", r, "--allow", "network.bridge", context.toString());
        assertEquals(1, unknown.exitCode(), unknown.err());
        assertEquals("ERROR: unknown entitlement network.bridge\n", unknown.err());
    }

    @Test
    void platformLocal_isTheHostsPlatform_andAMultiPlatformListIsRefused() throws IOException {
        // buildx util/platformutil/parse.go: "local" is platforms.DefaultSpec(); lists are comma-separated.
        Path context = context("platform", "FROM busybox:latest\nRUN true\n");
        String r = root.toString();
        Outcome local = wharf("build", "--root", r, "-q", "--platform", "local", "--platform", "LOCAL",
                context.toString());
        assertEquals(0, local.exitCode(), local.err());
        Outcome plain = wharf("build", "--root", r, "-q", context.toString());
        assertEquals(plain.out(), local.out());
        Outcome multi = wharf("build", "--root", r, "--platform", "linux/arm64,linux/s390x", context.toString());
        assertEquals(1, multi.exitCode(), multi.err());
        assertTrue(multi.err().contains("multi-platform build (linux/arm64,linux/s390x) is not supported"),
                multi.err());
    }

    @Test
    void buildkitProgressVariable_replacesAnAutoProgress_butNotAnExplicitOne() throws Exception {
        // buildx util/progress/printer.go NewPrinter: BUILDKIT_PROGRESS applies when --progress is auto.
        Path context = context("progressenv", "FROM busybox:latest\nRUN true\n");
        Path stdout = dir.resolve("p.out");
        Path stderr = dir.resolve("p.err");
        ProcessBuilder quiet = CliHarness.processBuilder("build", "--root", root.toString(), context.toString())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        quiet.environment().put("BUILDKIT_PROGRESS", "quiet");
        Process p = quiet.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS) && p.exitValue() == 0, () -> read(stderr));
        assertEquals("", read(stderr));
        assertTrue(read(stdout).matches("sha256:[0-9a-f]{64}\n"), read(stdout));
        ProcessBuilder plain = CliHarness.processBuilder("build", "--root", root.toString(), "--progress", "plain",
                context.toString()).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        plain.environment().put("BUILDKIT_PROGRESS", "quiet");
        p = plain.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS) && p.exitValue() == 0, () -> read(stderr));
        assertTrue(read(stderr).contains("#1 [internal] load build definition from Dockerfile"), read(stderr));
    }

    @Test
    void resultFilesInAMissingDirectory_failTheBuildInBuildxsWords_andAnUnnamedImageHasNoImageName()
            throws IOException {
        Path context = context("resultfiles", "FROM busybox:latest\nRUN true\n");
        String r = root.toString();
        Outcome iid = wharf("build", "--root", r, "-q", "--iidfile", dir.resolve("no/iid").toString(),
                context.toString());
        assertEquals(1, iid.exitCode(), iid.err());
        assertTrue(iid.err().contains("ERROR: writing image ID file: open " + dir.resolve("no/iid")
                + ": no such file or directory"), iid.err());
        Outcome metadata = wharf("build", "--root", r, "-q", "--metadata-file", dir.resolve("no/m.json").toString(),
                context.toString());
        assertEquals(1, metadata.exitCode(), metadata.err());
        assertTrue(metadata.err().contains("ERROR: writing metadata file: open "), metadata.err());
        // exporter/containerimage/export.go reports image.name only when the image has names.
        Path file = dir.resolve("m.json");
        assertEquals(0, wharf("build", "--root", r, "-q", "--metadata-file", file.toString(), context.toString())
                .exitCode());
        String json = Files.readString(file);
        assertTrue(json.contains("\"containerimage.digest\": \"sha256:") && !json.contains("image.name"), json);
        assertTrue(json.endsWith("\"\n}"), "json.MarshalIndent writes no final newline: " + json);
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    }

    @Test
    void aFailedBuild_removesTheImageIdFileOfAnEarlierBuild_asBuildx() throws IOException {
        // buildx's runBuild removes --iidfile before building; measured with docker build on dockerd 26 too.
        Path context = context("staleiid", "FROM busybox:latest\nRUN exit 3\n");
        Path iid = Files.writeString(dir.resolve("stale.iid"), "sha256:earlier");
        Outcome failed = wharf("build", "--root", root.toString(), "-q", "--iidfile", iid.toString(),
                context.toString());
        assertEquals(1, failed.exitCode(), failed.err());
        assertFalse(Files.exists(iid), "a failed build leaves no image ID file");
        Path busy = Files.createDirectories(dir.resolve("iid-dir/sub"));
        Outcome unremovable = wharf("build", "--root", root.toString(), "-q", "--iidfile",
                busy.getParent().toString(), context.toString());
        assertEquals(1, unremovable.exitCode(), unremovable.err());
        assertTrue(unremovable.err().contains("ERROR: removing image ID file: remove " + busy.getParent()
                + ": directory not empty"), unremovable.err());
    }

    @Test
    void secretFromADirectory_failsTheStepThatMountsIt_asBuildKitsSecretStore() throws IOException {
        // secretsprovider/store.go reads the file when a step asks for it: a directory fails that step only.
        Path context = context("secretdir", "FROM busybox:latest\nRUN echo before\n"
                + "RUN --mount=type=secret,id=s ls -la /run/secrets/s\n");
        Path secretDir = Files.createDirectories(dir.resolve("secret-dir"));
        Outcome built = wharf("build", "--root", root.toString(), "--progress", "plain", "--secret",
                "id=s,src=" + secretDir, context.toString());
        assertEquals(1, built.exitCode(), built.err());
        assertTrue(built.err().contains("ERROR: failed to solve: read " + secretDir + ": is a directory"),
                built.err());
    }

    @Test
    void sshPathThatDoesNotExist_failsTheBuildAtItsStart_evenUnused() throws IOException {
        // BuildKit's sshprovider stats every --ssh path when the session starts (agentprovider.go, toDialer).
        Path context = context("sshpath", "FROM busybox:latest\nRUN true\n");
        Outcome built = wharf("build", "--root", root.toString(), "--ssh", "key=" + dir.resolve("no-key"),
                context.toString());
        assertEquals(1, built.exitCode(), built.err());
        assertTrue(built.err().contains("stat " + dir.resolve("no-key") + ": no such file or directory"),
                built.err());
    }

    @Test
    void dockerfileOnStdinWithAFileFlag_isAmbiguous_asBuildx() {
        // build/opt.go: stdin that is no archive is a Dockerfile; with -f FILE there are two.
        Outcome built = wharfWithStdin("FROM busybox:latest\n".getBytes(), "build", "--root", root.toString(),
                "-f", "Dockerfile", "-");
        assertEquals(2, built.exitCode(), built.err());
        assertTrue(built.err().contains("ambiguous Dockerfile source: both stdin and flag correspond to "
                + "Dockerfiles"), built.err());
    }

    @Test
    void explicitTtyProgress_withoutATerminal_failsAsBuildKitsDisplay() throws Exception {
        // progressui.NewDisplay: tty mode needs a console ("failed to get console"); auto falls back to plain.
        Path context = context("ttyless", "FROM busybox:latest\n");
        Path stdout = dir.resolve("t.out");
        Path stderr = dir.resolve("t.err");
        assertEquals(1, run(stdout, stderr, "build", "--root", root.toString(), "--progress", "tty",
                context.toString()));
        assertTrue(read(stderr).contains("ERROR: failed to get console: provided file is not a console"),
                read(stderr));
        assertEquals(0, run(stdout, stderr, "build", "--root", root.toString(), context.toString()),
                () -> read(stderr));
        assertTrue(read(stderr).contains("#1 [internal] load build definition from Dockerfile"), read(stderr));
    }

    @Test
    void outputSyntaxErrors_comeBeforeTheProgressMode_andTheExportersAfterTheConsole() throws Exception {
        // buildx 0.13.1: toControllerOptions parses -o (ParseExports: CSV, "invalid value FIELD", a type) before
        // runBuild makes the progress display; the exporters' own checks (dest, the type's name) come with the
        // build, after the display refused a missing console.
        Path context = context("outputorder", "FROM scratch\n");
        Outcome field = wharf("build", "--root", root.toString(), "--progress", "bogus", "-o", "dest=x,foo",
                context.toString());
        assertEquals(1, field.exitCode(), field.err());
        assertEquals("ERROR: invalid value foo\n", field.err());
        Outcome untyped = wharf("build", "--root", root.toString(), "--progress", "bogus", "-o", "dest=x,push=true",
                context.toString());
        assertEquals("ERROR: type is required for output\n", untyped.err());
        Outcome progress = wharf("build", "--root", root.toString(), "--progress", "bogus", "-o", "type=local",
                context.toString());
        assertEquals("ERROR: invalid progress mode bogus\n", progress.err());

        Path stdout = dir.resolve("o.out");
        Path stderr = dir.resolve("o.err");
        for (String output : List.of("type=local", "type=bogus")) {
            assertEquals(1, run(stdout, stderr, "build", "--root", root.toString(), "--progress", "tty", "-o", output,
                    context.toString()));
            assertEquals("ERROR: failed to get console: provided file is not a console\n", read(stderr), output);
        }
        Outcome noDest = wharf("build", "--root", root.toString(), "--progress", "plain", "-o", "type=local",
                context.toString());
        assertEquals("ERROR: dest is required for local exporter\n", noDest.err());
    }

    @Test
    void legacyAndAttestationFlags_areAcceptedWithBuildxsWarnings() throws IOException {
        // commands/build.go: hidden --compress, --isolation and --squash (the last two with flag-warn); --attest.
        Path context = context("legacyflags", "FROM busybox:latest\n");
        Outcome built = wharf("build", "--root", root.toString(), "-q", "--compress", "--isolation", "default",
                "--squash", "--attest", "type=provenance,disabled=true", "--attest", "type=sbom", context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().contains("WARNING: isolation flag is deprecated with BuildKit."), built.err());
        assertTrue(built.err().contains("WARNING: experimental flag squash is removed with BuildKit."), built.err());
        assertTrue(built.err().contains("--attest type=sbom is ignored"), built.err());
        assertFalse(built.err().contains("type=provenance"), built.err());
    }

    @Test
    void addHost_takesCommaSeparatedValues_asBuildxsStringSlice() throws IOException {
        Path context = context("addhosts", "FROM busybox:latest\nRUN cat /etc/hosts\n");
        Outcome built = wharf("build", "--root", root.toString(), "--progress", "plain", "--add-host",
                "a:1.2.3.4,b=5.6.7.8", context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().contains("1.2.3.4\ta\n") && built.err().contains("5.6.7.8\tb\n"), built.err());
    }

    /** Whether plain progress shows the vertex {@code title} as {@code CACHED}. */
    private static boolean cached(String progress, String title) {
        List<String> lines = progress.lines().toList();
        for (String line : lines) {
            if (line.matches("#\\d+ " + java.util.regex.Pattern.quote(title))) {
                // Anywhere in the output: another stage's step may start between the title and its verdict, and
                // the printer then shows the title again before "#N CACHED".
                return lines.contains(line.substring(0, line.indexOf(' ')) + " CACHED");
            }
        }
        throw new AssertionError("no vertex " + title + " in\n" + progress);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void repeatedSingleValueFlags_keepTheLastValue_asCobraDoes() throws Exception {
        Path context = context("repeated", "FROM busybox:latest AS a\nLABEL stage=a\n"
                + "FROM busybox:latest AS b\nLABEL stage=b\n");
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        assertEquals(0, run(stdout, stderr, "build", "--root", root.toString(), "-q", "-q", "--target", "a",
                "--target", "b", "-t", "repeated:1", context.toString()), () -> read(stderr));
        Outcome inspect = wharf("inspect", "--root", root.toString(), "--format", "{{.Config.Labels.stage}}",
                "repeated:1");
        assertEquals(0, inspect.exitCode(), inspect.err());
        assertEquals("b", inspect.out().strip());
    }
}
