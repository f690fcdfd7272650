package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.snapshot.OverlaySnapshotter;
import dev.wharf.builder.snapshot.SnapshotKind;
import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What single instructions do to the image, checked by running the built image: COPY from the context and from
 * another stage, --chown by name, heredoc sources, metadata instructions in the config and history, and
 * cancellation releasing the running step.
 */
class StepExecutionTest {
    @TempDir
    Path temp;

    BuildEngine engine;
    Path context;

    @BeforeEach
    void setUp() throws Exception {
        HostRequirements.requireRoot();
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")));
        engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))),
                "busybox:latest");
        context = Files.createDirectories(temp.resolve("ctx"));
        Files.writeString(context.resolve("a.txt"), "from the context\n");
        Files.createDirectories(context.resolve("dir/sub"));
        Files.writeString(context.resolve("dir/sub/b.txt"), "nested\n");
        Files.writeString(context.resolve(".dockerignore"), "ignored.txt\n");
        Files.writeString(context.resolve("ignored.txt"), "never copied\n");
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    private BuildResult build(String dockerfile) throws Exception {
        return engine.build(BuildRequest.builder(context).dockerfileText(dockerfile).tag("t:latest").build())
                .get(5, TimeUnit.MINUTES);
    }

    private List<String> run(String... command) throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        int code = engine.run("t:latest", List.of(command), (stream, line) -> out.add(line));
        assertEquals(0, code, out.toString());
        return out;
    }

    @Test
    void copy_fromContextAndOtherStage_withChownByNameAndHeredoc() throws Exception {
        build("""
                FROM busybox:latest AS build
                RUN mkdir /out && echo built > /out/artifact && chmod 0750 /out/artifact
                FROM busybox:latest
                COPY a.txt dir /data/
                COPY --from=build --chown=nobody:nogroup /out/artifact /opt/
                COPY --chmod=0600 <<EOF /etc/greeting
                hello heredoc
                EOF
                COPY . /ctx/
                COPY --chmod=go=,u=rwX dir /symbolic/
                """);
        assertEquals(List.of("700 600"), run("sh", "-c", "stat -c '%a' /symbolic/sub /symbolic/sub/b.txt | xargs"));
        assertEquals(List.of("from the context", "nested", "built", "hello heredoc"),
                run("sh", "-c", "cat /data/a.txt /data/sub/b.txt /opt/artifact /etc/greeting"));
        assertEquals(List.of("65534 65534 750 0 0 600"),
                run("sh", "-c", "stat -c '%u %g %a' /opt/artifact | tr '\\n' ' '; stat -c '%u %g %a' /etc/greeting"));
        assertEquals(List.of("missing"), run("sh", "-c", "test -e /ctx/ignored.txt && echo present || echo missing"));
    }

    @Test
    void add_unpacksLocalTarArchivesButNotTarsInsideDirectories() throws Exception {
        Path content = Files.createDirectories(temp.resolve("archive-content/pkg"));
        Files.writeString(content.resolve("file.txt"), "unpacked\n");
        Process tar = new ProcessBuilder("sh", "-c", "tar -C " + temp.resolve("archive-content")
                + " -czf " + context.resolve("pkg.tar.gz") + " pkg && mkdir -p " + context.resolve("nested")
                + " && cp " + context.resolve("pkg.tar.gz") + " " + context.resolve("nested/inner.tgz"))
                .redirectErrorStream(true).start();
        assertEquals(0, tar.waitFor(), new String(tar.getInputStream().readAllBytes()));
        build("""
                FROM busybox:latest
                ADD pkg.tar.gz /opt/
                ADD nested /nested/
                """);
        assertEquals(List.of("unpacked", "file"), run("sh", "-c",
                "cat /opt/pkg/file.txt; test -f /nested/inner.tgz && echo file"));
    }

    @Test
    void add_archiveEntriesUnderALowerLayersSymlink_goThroughIt() throws Exception {
        Path content = Files.createDirectories(temp.resolve("rootfs/var/run/app"));
        Files.writeString(content.resolve("pid"), "1\n");
        Process tar = new ProcessBuilder("tar", "-C", temp.resolve("rootfs").toString(), "-cf",
                context.resolve("rootfs.tar").toString(), "var/run/app").redirectErrorStream(true).start();
        assertEquals(0, tar.waitFor(), new String(tar.getInputStream().readAllBytes()));
        build("""
                FROM busybox:latest
                RUN mkdir -p /run /var && ln -s /run /var/run
                ADD rootfs.tar /
                """);
        assertEquals(List.of("/run", "1"), run("sh", "-c", "readlink /var/run; cat /run/app/pid"));
    }

    @Test
    void anotherFrontendsFile_isRefusedForItsSyntax_beforeTheDockerfileParserReadsIt() {
        // BuildKit forwards to the frontend the directive names before dockerfile2llb parses: a file in another
        // language gets the frontend error, not a Dockerfile parse error.
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> build("# syntax=example.com/x:1\nFOO bar {\n"));
        assertTrue(e.getCause().getMessage().contains("unsupported frontend example.com/x:1"),
                e.getCause().getMessage());
    }

    @Test
    void copy_ofADirectoryOntoANonDirectory_orOfAFileOntoADirectory_failsAsFsutilDoes() throws Exception {
        java.util.concurrent.ExecutionException link = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> build("FROM busybox:latest\nRUN mkdir -p /dst /real && ln -s /real /dst/sub\nCOPY dir /dst\n"));
        assertTrue(link.getCause().getMessage().contains("cannot copy to non-directory: /dst/sub"),
                link.getCause().getMessage());
        java.util.concurrent.ExecutionException dir = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> build("FROM busybox:latest\nRUN mkdir -p /dst/sub/b.txt\nCOPY dir /dst\n"));
        assertTrue(dir.getCause().getMessage().contains("cannot replace to directory /dst/sub/b.txt with file"),
                dir.getCause().getMessage());
        // Two sources: the second one's file meets the directory the first one made.
        Files.createDirectories(context.resolve("other"));
        Files.writeString(context.resolve("other/sub"), "a file\n");
        java.util.concurrent.ExecutionException sources = assertThrows(
                java.util.concurrent.ExecutionException.class, () -> build("FROM busybox:latest\nCOPY dir other /two/\n"));
        assertTrue(sources.getCause().getMessage().contains("cannot replace to directory /two/sub with file"),
                sources.getCause().getMessage());
        // Into directories that exist, or that the copy makes, nothing is refused.
        build("FROM busybox:latest\nRUN mkdir -p /dst/sub\nCOPY dir /dst\nCOPY dir /new\n");
        assertEquals(List.of("nested", "nested"), run("cat", "/dst/sub/b.txt", "/new/sub/b.txt"));
    }

    @Test
    void runMounts_cacheIsKeptBetweenBuilds_bindReadsTheContext_tmpfsLeavesNoTrace() throws Exception {
        String dockerfile = """
                FROM busybox:latest
                RUN --mount=type=cache,target=/cache --mount=type=bind,source=dir,target=/src \\
                    --mount=type=tmpfs,target=/scratch \\
                    echo run >> /cache/log && cat /src/sub/b.txt > /scratch/x && cp /scratch/x /copied \\
                    && wc -l < /cache/log > /runs
                """;
        build(dockerfile);
        assertEquals(List.of("nested", "1"), run("cat", "/copied", "/runs"));
        engine.build(BuildRequest.builder(context).dockerfileText(dockerfile).tag("t:latest").noCache(true).build())
                .get(5, TimeUnit.MINUTES);
        assertEquals(List.of("2"), run("cat", "/runs"));
        assertEquals(List.of("gone"), run("sh", "-c", "test -e /scratch/x || test -e /cache/log || echo gone"));
        // The bind source is part of the key: changing it reruns the step.
        Files.writeString(context.resolve("dir/sub/b.txt"), "changed\n");
        BuildResult changed = build(dockerfile);
        assertEquals(List.of("changed", "3"), run("cat", "/copied", "/runs"));
        assertTrue(changed.steps().stream().anyMatch(st -> st.name().startsWith("RUN") && !st.cached()));
    }

    @Test
    void changedArg_rerunsTheRunThatSeesIt_notTheCopyBefore() throws Exception {
        String dockerfile = "FROM busybox:latest\nARG V\nCOPY a.txt /a\nRUN echo $V > /v\n";
        engine.build(BuildRequest.builder(context).dockerfileText(dockerfile).buildArg("V", "1").build())
                .get(5, TimeUnit.MINUTES);
        BuildResult second = engine.build(BuildRequest.builder(context).dockerfileText(dockerfile)
                .buildArg("V", "2").tag("t:latest").build()).get(5, TimeUnit.MINUTES);
        assertEquals(List.of("RUN echo $V > /v"), second.steps().stream().filter(st -> !st.cached())
                .map(BuildResult.StepTiming::name).toList());
        assertEquals(List.of("2"), run("cat", "/v"));
        JsonNode history = new ObjectMapper().readTree(second.config()).get("history");
        assertEquals("RUN |1 V=2 /bin/sh -c echo $V > /v # buildkit",
                history.get(history.size() - 1).get("created_by").asText());
        assertEquals("COPY a.txt /a # buildkit", history.get(history.size() - 2).get("created_by").asText());
        assertEquals("ARG V=2", history.get(history.size() - 3).get("created_by").asText());
    }

    @Test
    void requestLabels_areAddedToTheImageConfig() throws Exception {
        BuildResult result = engine.build(BuildRequest.builder(context).dockerfileText("FROM busybox:latest\n"
                + "LABEL a=1 b=from-dockerfile\n").label("b", "2").label("c", "3").build()).get(5, TimeUnit.MINUTES);
        JsonNode labels = new ObjectMapper().readTree(result.config()).get("config").get("Labels");
        assertEquals("{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}", labels.toString());
    }

    @Test
    void resolvConf_isTheHostsWithLoopbackNameserversDroppedWithoutHostNetwork() throws Exception {
        engine.build(BuildRequest.builder(context).dockerfileText("""
                FROM busybox:latest
                RUN --network=none cat /etc/resolv.conf > /none.txt
                RUN --network=host cat /etc/resolv.conf > /host.txt
                """).tag("t:latest").network("host").build()).get(5, TimeUnit.MINUTES);
        String none = String.join("\n", run("cat", "/none.txt")) + "\n";
        String host = String.join("\n", run("cat", "/host.txt")) + "\n";
        assertEquals(dev.wharf.builder.sandbox.ResolvConf.forHost(dev.wharf.builder.sandbox.NetworkMode.NONE), none);
        assertEquals(dev.wharf.builder.sandbox.ResolvConf.forHost(dev.wharf.builder.sandbox.NetworkMode.HOST), host);
        assertTrue(!none.contains("nameserver 127.") && !none.contains("nameserver ::1"), none);
    }

    @Test
    void runNeedingAnEntitlementTheBuildDoesNotGrant_failsBeforeAnyStepRuns_asBuildKitRefusesTheLlb() {
        // docker build grants network.host only with --network host, and security.insecure never.
        for (String run : List.of("RUN --network=host true", "RUN --security=insecure true")) {
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> build("FROM busybox:latest\nRUN touch /first\n" + run + "\n"));
            dev.wharf.builder.api.BuildFailedException failed =
                    (dev.wharf.builder.api.BuildFailedException) e.getCause();
            String entitlement = run.contains("host") ? "network.host" : "security.insecure";
            assertEquals(run + " failed at Dockerfile:3: failed to load LLB: " + entitlement + " is not allowed",
                    failed.getMessage());
        }
    }

    @Test
    void hostsAndResolvConf_areReadableByANonRootUser_asInBuildKit() throws Exception {
        build("""
                FROM busybox:latest
                USER nobody
                RUN cat /etc/resolv.conf > /tmp/resolv.txt && cat /etc/hosts > /tmp/hosts.txt
                """);
        assertEquals(dev.wharf.builder.sandbox.ResolvConf.forHost(dev.wharf.builder.sandbox.NetworkMode.NONE),
                String.join("\n", run("cat", "/tmp/resolv.txt")) + "\n");
        assertTrue(String.join("\n", run("cat", "/tmp/hosts.txt")).startsWith("127.0.0.1\tlocalhost"));
    }

    /** Runs {@code command} on the host, failing the test when it fails; its output. */
    private static String host(Path dir, java.util.Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }

    /** ssh-add and the libraries it links, copied into the context's tools/ so that a RUN can talk to an agent. */
    private void copySshAddIntoContext() throws Exception {
        Path sshAdd = HostRequirements.requireTool("ssh-add", "apt-get install openssh-client");
        Path tools = Files.createDirectories(context.resolve("tools"));
        List<String> files = new ArrayList<>(List.of(sshAdd.toRealPath().toString()));
        for (String line : host(temp, java.util.Map.of(), "ldd", sshAdd.toString()).split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(/\\S+)").matcher(line);
            if (m.find()) {
                files.add(m.group(1));
            }
        }
        for (String f : files) {
            Path to = tools.resolve(f.substring(1));
            Files.createDirectories(to.getParent());
            Files.copy(Path.of(f), to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Attacks: --ssh ID=KEY,KEY (docker's key-file form) with real keys, a passphrase-protected key, and a failing
     * build. Must hold: a RUN's ssh-add -l lists both keys, a passphrase key is refused clearly, no private agent
     * outlives its build (failed or not), and no key byte reaches the log or the image.
     */
    @Test
    void sshKeyFiles_areServedByAPrivateAgentForTheBuild_andNeverReachTheImageOrLog() throws Exception {
        HostRequirements.requireTool("ssh-agent", "apt-get install openssh-client");
        HostRequirements.requireTool("ssh-keygen", "apt-get install openssh-client");
        copySshAddIntoContext();
        Path keys = Files.createDirectories(temp.resolve("keys"));
        host(keys, java.util.Map.of(), "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "key-one", "-f", "one");
        host(keys, java.util.Map.of(), "ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-C", "key-two", "-f", "two");
        host(keys, java.util.Map.of(), "ssh-keygen", "-q", "-t", "ed25519", "-N", "secret-pw", "-C", "locked", "-f",
                "locked");
        Files.setAttribute(keys.resolve("two"), "unix:mode", 0644); // ssh-add would refuse the file; not the agent
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        String dockerfile = "FROM busybox:latest\nCOPY tools/ /\n"
                + "RUN --mount=type=ssh,id=deploy echo \"sock=$SSH_AUTH_SOCK\" && ssh-add -l\n";
        BuildResult result = engine.build(BuildRequest.builder(context).dockerfileText(dockerfile).tag("t:latest")
                .ssh("deploy", List.of(keys.resolve("one"), keys.resolve("two")))
                .listener(e -> {
                    if (e instanceof BuildEvent.StepLog l) {
                        log.add(l.line());
                    }
                }).build()).get(5, TimeUnit.MINUTES);
        String text = String.join("\n", log);
        assertTrue(text.contains("sock=/run/buildkit/ssh_agent.0"), text);
        assertTrue(text.contains("key-one (ED25519)") && text.contains("key-two (ECDSA)"), text);
        assertNoPrivateAgentLeft();
        for (String key : List.of("one", "two")) {
            for (String line : Files.readAllLines(keys.resolve(key))) {
                if (!line.startsWith("-----")) {
                    assertFalse(text.contains(line), "a line of key " + key + " reached the log");
                    assertFalse(storeContains(line),
                            "a line of key " + key + " reached the store");
                }
            }
        }
        assertTrue(result.imageId().startsWith("sha256:"));

        java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> engine.build(BuildRequest.builder(context).dockerfileText(
                        "FROM busybox:latest\nRUN --mount=type=ssh,id=deploy false\n")
                        .ssh("deploy", keys.resolve("one")).build()).get(5, TimeUnit.MINUTES));
        assertTrue(failed.getCause().getMessage().contains("exit code 1"), failed.getCause().getMessage());
        assertNoPrivateAgentLeft();

        java.util.concurrent.ExecutionException locked = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> engine.build(BuildRequest.builder(context).dockerfileText("FROM busybox:latest\nRUN true\n")
                        .ssh("default", keys.resolve("locked")).build()).get(5, TimeUnit.MINUTES));
        String message = locked.getCause().getMessage();
        assertTrue(message.contains("passphrase") && message.contains(keys.resolve("locked").toString()), message);
        assertNoPrivateAgentLeft();
    }

    /** Whether any file of the store, gzip blobs decompressed, contains {@code text}. */
    private boolean storeContains(String text) throws IOException {
        byte[] needle = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (var files = Files.walk(temp.resolve("store"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] data = Files.readAllBytes(f);
                if (data.length > 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b) {
                    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
                        data = in.readAllBytes();
                    } catch (IOException e) {
                        // not gzip after all: scan as is
                    }
                }
                for (int i = 0; i + needle.length <= data.length; i++) {
                    if (java.util.Arrays.equals(data, i, i + needle.length, needle, 0, needle.length)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** No ssh-agent started by a build (its socket in an {@code ssh-} directory) runs, and no such directory stays. */
    private void assertNoPrivateAgentLeft() throws Exception {
        for (int i = 0; i < 50; i++) {
            boolean running;
            try (var procs = Files.list(Path.of("/proc"))) {
                running = procs.filter(q -> q.getFileName().toString().matches("\\d+")).anyMatch(q -> {
                    try {
                        String cmd = new String(Files.readAllBytes(q.resolve("cmdline")));
                        return cmd.startsWith("/usr/bin/ssh-agent\0-D\0-a\0") && cmd.contains("/ssh-");
                    } catch (IOException e) {
                        return false;
                    }
                });
            }
            if (!running) {
                break;
            }
            assertTrue(i < 49, "a build's private ssh-agent is still running");
            Thread.sleep(100);
        }
        try (var left = Files.walk(temp.resolve("store/state"))) {
            assertEquals(List.of(), left.filter(q -> q.getFileName().toString().startsWith("ssh-")).toList());
        }
    }

    private static boolean accepts(Path socket) {
        try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open(
                java.net.UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void sshMount_forwardsARealAgentThatSshAddLists_andLeavesNoTrace() throws Exception {
        HostRequirements.requireTool("ssh-agent", "apt-get install openssh-client");
        HostRequirements.requireTool("ssh-keygen", "apt-get install openssh-client");
        copySshAddIntoContext();
        Path sock = temp.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", sock.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        try {
            // Until it accepts, not until the socket exists: ssh-agent binds before it listens.
            for (int i = 0; i < 100 && !accepts(sock); i++) {
                Thread.sleep(50);
            }
            host(temp, java.util.Map.of(), "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "wharf-test-key",
                    "-f", temp.resolve("key").toString());
            host(temp, java.util.Map.of("SSH_AUTH_SOCK", sock.toString()), "ssh-add", temp.resolve("key").toString());
            String dockerfile = """
                    FROM busybox:latest
                    COPY tools/ /
                    RUN --mount=type=ssh echo "sock=$SSH_AUTH_SOCK" && ssh-add -l
                    RUN --mount=type=ssh,id=other,target=/tmp/agent,uid=1000,mode=0600 \\
                        ls -ln /tmp/agent | cut -c1-20; SSH_AUTH_SOCK=/tmp/agent ssh-add -l
                    RUN --mount=type=ssh,id=absent echo optional-skipped $SSH_AUTH_SOCK; ls /run/buildkit 2>&1 | head -1
                    """;
            List<String> log = Collections.synchronizedList(new ArrayList<>());
            engine.build(BuildRequest.builder(context).dockerfileText(dockerfile).tag("t:latest")
                    .ssh("default", sock).ssh("other", sock)
                    .listener(e -> {
                        if (e instanceof BuildEvent.StepLog l) {
                            log.add(l.line());
                        }
                    }).build()).get(5, TimeUnit.MINUTES);
            String text = String.join("\n", log);
            assertTrue(text.contains("sock=/run/buildkit/ssh_agent.0"), text);
            assertEquals(2, log.stream().filter(l -> l.contains("wharf-test-key (ED25519)")).count(), text);
            assertTrue(text.contains("srw-------    1 1000"), text);
            // As BuildKit's client/llb/exec.go: SSH_AUTH_SOCK names the first ssh mount's target even when its
            // optional agent is absent (dockerd 26 prints the same).
            assertTrue(text.contains("optional-skipped /run/buildkit/ssh_agent.0"), text);
            // Nothing of the sockets or their mount points reaches the image.
            assertEquals(List.of("none"), run("sh", "-c", "ls /run/buildkit /tmp/agent 2>/dev/null || echo none"));
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> build("FROM busybox:latest\nRUN --mount=type=ssh,required true\n"));
            assertTrue(e.getCause().getMessage().endsWith("unset ssh forward key default"),
                    e.getCause().getMessage());
            e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> build("FROM busybox:latest\nRUN --mount=type=ssh,id=foo,required true\n"));
            assertTrue(e.getCause().getMessage().endsWith("unset ssh forward key foo"), e.getCause().getMessage());
            // Given another agent, the client refuses the id it lacks in the same words.
            e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> engine.build(BuildRequest.builder(context).ssh("other", sock)
                            .dockerfileText("FROM busybox:latest\nRUN --mount=type=ssh,required true\n").build())
                            .get(5, TimeUnit.MINUTES));
            assertTrue(e.getCause().getMessage().endsWith("unset ssh forward key default"),
                    e.getCause().getMessage());
        } finally {
            agent.destroy();
            agent.waitFor();
        }
    }

    @Test
    void secretFiles_haveTheMountsModeAndOwner_defaulting0400Root() throws Exception {
        Path token = Files.writeString(temp.resolve("token"), "s3cr3t");
        Files.setAttribute(token, "unix:mode", 0644);
        String dockerfile = """
                FROM busybox:latest
                RUN --mount=type=secret,id=token stat -c '%a %u:%g' /run/secrets/token > /default
                RUN --mount=type=secret,id=token,mode=0440,uid=1000,gid=50 stat -c '%a %u:%g' /run/secrets/token > /set
                """;
        engine.build(BuildRequest.builder(context).dockerfileText(dockerfile).tag("t:latest").secret("token", token)
                .build()).get(5, TimeUnit.MINUTES);
        assertEquals(List.of("400 0:0", "440 1000:50"), run("cat", "/default", "/set"));
        assertEquals(0644, (Integer) Files.getAttribute(token, "unix:mode") & 07777, "the user's file is unchanged");
    }

    @Test
    void bindMountsOfTheContext_leaveOutWhatDockerignoreExcludes_andTheContextIsUntouched() throws Exception {
        Files.writeString(context.resolve(".dockerignore"), "ignored.txt\n**/*.log\n!dir/keep.log\n");
        Files.writeString(context.resolve("dir/drop.log"), "excluded\n");
        Files.writeString(context.resolve("dir/keep.log"), "kept by the exception\n");
        build("""
                FROM busybox:latest
                RUN --mount=type=bind,target=/ctx cd /ctx && find . | sort > /listing
                RUN --mount=type=bind,source=dir,target=/d,rw rm /d/keep.log && ls -A /d > /dir-listing
                RUN --mount=type=bind,source=dir/sub,target=/s ls -A /s > /sub-listing
                COPY dir /copied/
                """);
        // dockerui's local context: BuildKit mounts the context as sent, with the ignore file's patterns applied.
        assertEquals(List.of(".", "./.dockerignore", "./a.txt", "./dir", "./dir/keep.log", "./dir/sub",
                "./dir/sub/b.txt"), run("cat", "/listing"));
        assertEquals(List.of("sub"), run("cat", "/dir-listing"));
        assertEquals(List.of("b.txt"), run("cat", "/sub-listing"));
        assertTrue(Files.exists(context.resolve("dir/keep.log")), "a writable mount writes to a copy");
        assertEquals(List.of("keep.log", "sub"), run("ls", "/copied"));
    }

    @Test
    void bindMountsOfTheContext_showEveryFileOwnedByRoot_asBuildKitsClientSendsIt() throws Exception {
        // A checkout owned by a CI user: BuildKit's client resets every owner to 0:0 (client/solve.go
        // resetUIDAndGID), so `cp -a` from a bind mount makes root-owned files; set-id bits survive the reset.
        Files.writeString(context.resolve("dir/tool"), "t\n");
        Files.setAttribute(context.resolve("dir/tool"), "unix:uid", 1234);
        Files.setAttribute(context.resolve("dir/tool"), "unix:gid", 5678);
        Files.setAttribute(context.resolve("dir/tool"), "unix:mode", 04755);
        Files.setAttribute(context.resolve("dir/sub"), "unix:uid", 1001);
        Files.createLink(context.resolve("dir/tool-link"), context.resolve("dir/tool"));
        build("""
                FROM busybox:latest
                RUN --mount=type=bind,target=/ctx stat -c '%n %u:%g %a' /ctx/dir/tool /ctx/dir/sub > /ro \
                    && stat -c %h /ctx/dir/tool /ctx/dir/tool-link > /links
                RUN --mount=type=bind,source=dir,target=/d,rw stat -c '%n %u:%g %a' /d/tool /d/sub > /rw
                RUN --mount=type=bind,source=dir/tool,target=/t stat -c '%n %u:%g %a' /t > /file
                """);
        assertEquals(List.of("/ctx/dir/tool 0:0 4755", "/ctx/dir/sub 0:0 755", "/d/tool 0:0 4755", "/d/sub 0:0 755",
                "/t 0:0 4755"), run("cat", "/ro", "/rw", "/file"));
        assertEquals(List.of("2", "2"), run("cat", "/links"), "hard links of the context stay links in the copy");
        assertEquals(1234, (Integer) Files.getAttribute(context.resolve("dir/tool"), "unix:uid"),
                "the context itself is untouched");
    }

    @Test
    void bindMountCopies_oneReadOnlyCopyPerBuild_sharedByItsSteps_privateCopiesAndSecretsGoWithTheirStep()
            throws Exception {
        // A context owned by another user (or with ignored files) is bound as a copy with owners reset, as big as the
        // context: BuildKit sends the context once per build, so two steps binding it read-only share one copy,
        // kept until the build ends; a writable mount's copy and a secret's go when their step ends.
        Files.setAttribute(context.resolve("a.txt"), "unix:uid", 1234);
        Path secret = Files.writeString(temp.resolve("token"), "s3cr3t\n");
        List<String> perStep = Collections.synchronizedList(new ArrayList<>());
        List<String> shared = Collections.synchronizedList(new ArrayList<>());
        engine.build(BuildRequest.builder(context).dockerfileText("""
                FROM busybox:latest
                RUN --mount=type=bind,target=/ctx --mount=type=secret,id=tok stat -c %u /ctx/a.txt > /one \
                    && cat /run/secrets/tok
                RUN --mount=type=bind,target=/again stat -c %u /again/a.txt > /two
                RUN --mount=type=bind,source=dir,target=/d,rw ls /d
                RUN echo last
                """).secret("tok", secret).tag("t:latest").listener(event -> {
                    if (event instanceof dev.wharf.builder.api.BuildEvent.StepStarted started
                            && started.name().contains("echo last")) {
                        try (var walk = Files.walk(temp.resolve("store/state"))) {
                            walk.forEach(p -> {
                                String name = p.getFileName().toString();
                                if (name.matches("(bind|secret)-.*")) {
                                    perStep.add(p.toString());
                                } else if (p.getParent().getFileName().toString().equals("context-copies")) {
                                    shared.add(name);
                                }
                            });
                        } catch (java.io.IOException e) {
                            perStep.add(e.toString());
                        }
                    }
                }).build()).get(5, TimeUnit.MINUTES);
        assertEquals(List.of(), perStep, "private copies made for earlier steps");
        assertEquals(1, shared.size(), "one shared copy of the context for both read-only mounts: " + shared);
        assertEquals(List.of("0", "0"), run("cat", "/one", "/two"));
        assertEquals(List.of(), leftInState(), "the shared copy goes with the build");

        // A failing build removes its copy too.
        assertThrows(java.util.concurrent.ExecutionException.class, () -> engine.build(BuildRequest.builder(context)
                .dockerfileText("""
                        FROM busybox:latest
                        RUN --mount=type=bind,target=/ctx cat /ctx/a.txt
                        RUN --mount=type=bind,target=/ctx false
                        """).tag("t:latest").build()).get(5, TimeUnit.MINUTES));
        assertEquals(List.of(), leftInState(), "the shared copy goes with a failed build");
    }

    /** The build directories left under the store's state directory. */
    private List<String> leftInState() throws java.io.IOException {
        try (var list = Files.list(temp.resolve("store/state"))) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("build-")).toList();
        }
    }

    @Test
    void bindMountSources_followSymlinksInsideTheContext_neverOntoTheHost() throws Exception {
        Files.createSymbolicLink(context.resolve("root-link"), Path.of("/"));
        Files.createSymbolicLink(context.resolve("dir-link"), Path.of("dir"));
        Files.createSymbolicLink(context.resolve("climb"), Path.of("../../../dir/sub/b.txt"));
        Files.createSymbolicLink(context.resolve("abs"), Path.of("/dir/sub"));
        // BuildKit resolves a mount's source with containerd's fs.RootPath (executor/oci/spec.go subMount): every
        // link on the path, the last one too, inside the context; absolute targets restart at its root.
        String dockerfile = """
                FROM busybox:latest
                RUN --mount=type=bind,source=root-link,target=/r ls /r > /root-listing
                RUN --mount=type=bind,source=dir-link/sub/b.txt,target=/b cat /b > /through-dir-link
                RUN --mount=type=bind,source=climb,target=/c,rw cat /c > /climbed && echo x >> /c
                RUN --mount=type=bind,source=abs,target=/s ls /s > /abs-listing
                """;
        build(dockerfile);
        assertEquals(List.of("a.txt", "abs", "climb", "dir", "dir-link", "root-link"), run("cat", "/root-listing"));
        assertEquals(List.of("nested", "nested"), run("cat", "/through-dir-link", "/climbed"));
        assertEquals(List.of("b.txt"), run("cat", "/abs-listing"));
        assertEquals("nested\n", Files.readString(context.resolve("dir/sub/b.txt")), "a writable mount writes to a copy");
        // The linked file's content is part of the key: changing it reruns the steps that mount it.
        Files.writeString(context.resolve("dir/sub/b.txt"), "changed\n");
        build(dockerfile);
        assertEquals(List.of("changed", "changed"), run("cat", "/through-dir-link", "/climbed"));
    }

    @Test
    void bindMountSource_throughASymlinkLoop_failsTheStepAtItsLine() throws Exception {
        Files.createSymbolicLink(context.resolve("loop-a"), Path.of("loop-b"));
        Files.createSymbolicLink(context.resolve("loop-b"), Path.of("/loop-a"));
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> build("FROM busybox:latest\nRUN --mount=type=bind,source=loop-a/x,target=/l true\n"));
        String message = e.getCause().getMessage();
        assertTrue(message.contains("Dockerfile:2"), message);
    }

    @Test
    void secretIds_comeFromSourceOrTheTarget_andTheDefaultTargetIsTheIdsBaseName() throws Exception {
        Path token = Files.writeString(temp.resolve("token"), "s3cr3t");
        // convert_secrets.go dispatchSecret: source= is the id, else id=, else the target's base name; the default
        // target is /run/secrets/ and the id's base name.
        String dockerfile = """
                FROM busybox:latest
                RUN --mount=type=secret,source=npm/token cat /run/secrets/token > /by-source
                RUN --mount=type=secret,id=npm/token cat /run/secrets/token > /by-slashed-id
                RUN --mount=type=secret,target=/etc/app/token cat /etc/app/token > /by-target
                """;
        engine.build(BuildRequest.builder(context).dockerfileText(dockerfile).tag("t:latest")
                .secret("npm/token", token).secret("token", token).build()).get(5, TimeUnit.MINUTES);
        assertEquals(List.of("s3cr3ts3cr3ts3cr3t"), run("cat", "/by-source", "/by-slashed-id", "/by-target"));
    }

    @Test
    void secrets_areMountedForTheStepOnly() throws Exception {
        Path token = Files.writeString(temp.resolve("token"), "s3cr3t");
        String dockerfile = """
                FROM busybox:latest
                RUN --mount=type=secret,id=token test "$(cat /run/secrets/token)" = s3cr3t && echo ok > /file
                RUN --mount=type=secret,id=token,env=TOKEN test "$TOKEN" = s3cr3t && echo ok > /env
                RUN --mount=type=secret,id=absent cat /file
                RUN --mount=type=secret,id=absent,env=ABSENT set -u; echo "[${ABSENT}]" > /absent-env
                """;
        engine.build(BuildRequest.builder(context).dockerfileText(dockerfile).tag("t:latest").secret("token", token)
                .build()).get(5, TimeUnit.MINUTES);
        assertEquals(List.of("ok", "ok", "[]", "absent"), run("sh", "-c",
                "cat /file /env /absent-env; test -e /run/secrets/token || echo absent"));
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> build("FROM busybox:latest\nRUN --mount=type=secret,id=token,required true\n"));
        assertTrue(e.getCause().getMessage().endsWith("secret token: not found"), e.getCause().getMessage());
    }

    @Test
    void concurrentBuildsOnOneStore_allSucceed() throws Exception {
        String dockerfile = "FROM busybox:latest\nCOPY a.txt /a\nRUN echo same > /same\n";
        List<CompletableFuture<BuildResult>> builds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            builds.add(engine.build(BuildRequest.builder(context).dockerfileText(dockerfile).noCache(true)
                    .sourceDateEpoch(1_700_000_000L).build()));
            builds.add(engine.build(BuildRequest.builder(context).dockerfileText(
                    "FROM busybox:latest\nRUN echo other" + i + " > /other\n").build()));
        }
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < builds.size(); i += 2) {
            digests.add(builds.get(i).get(5, TimeUnit.MINUTES).imageDigest());
            builds.get(i + 1).get(5, TimeUnit.MINUTES);
        }
        assertEquals(1, digests.stream().distinct().count(), "the same inputs built at once: " + digests);
    }

    @Test
    void changedLabel_rerunsNothing_butChangesTheConfig() throws Exception {
        BuildResult first = build("FROM busybox:latest\nLABEL v=1\nRUN echo x > /x\n");
        BuildResult second = build("FROM busybox:latest\nLABEL v=2\nRUN echo x > /x\n");
        assertEquals(0, second.cacheMisses(), second.steps().toString());
        assertEquals(first.layers(), second.layers());
        assertTrue(second.config().contains("\"v\":\"2\""), second.config());
        assertTrue(second.config().contains("LABEL v=2"), second.config());
    }

    @Test
    void onbuildTriggers_runInTheChildImage() throws Exception {
        BuildResult parent = engine.build(BuildRequest.builder(context).tag("parent:latest").dockerfileText("""
                FROM busybox:latest
                ONBUILD COPY a.txt /from-trigger
                ONBUILD RUN echo triggered > /triggered
                """).build()).get(5, TimeUnit.MINUTES);
        JsonNode config = new ObjectMapper().readTree(parent.config());
        assertEquals(2, config.at("/config/OnBuild").size(), config.toString());
        assertFalse(config.get("history").toString().contains("ONBUILD"),
                "ONBUILD adds no history entry in BuildKit: " + config.get("history"));
        build("FROM parent:latest\nRUN cat /from-trigger /triggered > /both\n");
        assertEquals(List.of("from the context", "triggered"), run("cat", "/both"));
    }

    @Test
    void onbuildTriggers_showTheirOwnText_notTheFromThatRunsThem() throws Exception {
        // BuildKit's initOnBuildTriggers parses each trigger as a one-line Dockerfile and only moves its location
        // to the FROM: progress names the step by the trigger (dockerd 26 shows "RUN echo trig     > /trig").
        engine.build(BuildRequest.builder(context).tag("parent:latest").dockerfileText("""
                FROM busybox:latest
                ONBUILD RUN echo trig \\
                    > /trig
                ONBUILD COPY a.txt /t
                ONBUILD WORKDIR /w
                """).build()).get(5, TimeUnit.MINUTES);
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        engine.build(BuildRequest.builder(context).tag("child:latest").listener(events::add).dockerfileText("""
                FROM parent:latest
                RUN cat /trig
                """).build()).get(5, TimeUnit.MINUTES);
        List<String> steps;
        synchronized (events) {
            // BuildKit's internal vertexes (the context's transfer before the COPY) are no steps of the stage.
            steps = events.stream().filter(e -> e instanceof BuildEvent.StepStarted)
                    .map(e -> (BuildEvent.StepStarted) e).filter(s -> !s.stage().equals("internal"))
                    .map(s -> s.index() + "/" + s.count() + " " + s.name()).toList();
        }
        assertEquals(List.of("2/5 RUN echo trig     > /trig", "3/5 COPY a.txt /t", "4/5 WORKDIR /w",
                "5/5 RUN cat /trig"), steps.subList(steps.size() - 4, steps.size()), steps.toString());

        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> build("FROM busybox:latest AS base\nONBUILD RUN --network=host true\nFROM base\n"));
        assertEquals("RUN --network=host true failed at Dockerfile:3: failed to load LLB: network.host is not allowed",
                e.getCause().getMessage(), "the trigger's text, at the FROM that runs it");
    }

    /** The source and step vertices of a build, as {@code stage index/count name} (no internal ones). */
    private List<String> vertices(String dockerfile) throws Exception {
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        engine.build(BuildRequest.builder(context).tag("t:latest").listener(events::add).dockerfileText(dockerfile)
                .build()).get(5, TimeUnit.MINUTES);
        synchronized (events) {
            return events.stream().filter(e -> e instanceof BuildEvent.StepStarted)
                    .map(e -> (BuildEvent.StepStarted) e).filter(s -> !s.stage().equals("internal"))
                    .map(s -> (s.stage() + " " + s.index() + "/" + s.count() + " " + s.name()).strip()).toList();
        }
    }

    @Test
    void anImageSeveralStatesUse_isOneVertex_namedByTheStateBuildKitMarshalsLast() throws Exception {
        // dockerd 26.1.5: stage a and the final stage FROM busybox, the final one copying from busybox and from a:
        // one vertex, "[a 1/2] FROM docker.io/library/busybox:latest" (llb marshals a's chain last).
        List<String> shared = vertices("FROM busybox:latest AS a\nRUN echo a > /a\nFROM busybox:latest\n"
                + "COPY --from=busybox /bin/true /x\nCOPY --from=a /a /a\n");
        assertEquals(List.of("a 1/2 FROM docker.io/library/busybox:latest"),
                shared.stream().filter(v -> v.contains("FROM docker.io")).toList(), shared.toString());
        assertTrue(shared.contains("stage-1 2/3 COPY --from=busybox /bin/true /x"), shared.toString());
        // FROM busybox with COPY --from=busybox: the --from state (no commands) is marshalled last, no prefix.
        List<String> implicit = vertices("FROM busybox:latest\nCOPY --from=busybox /bin/true /x\n");
        assertEquals(List.of("0/0 FROM docker.io/library/busybox:latest",
                "stage-0 2/2 COPY --from=busybox /bin/true /x"),
                implicit, implicit.toString());
    }

    @Test
    void anImageOnlyFromReads_isASourceVertexWithoutAPrefix() throws Exception {
        // dockerd 26.1.5: "#6 FROM docker.io/library/busybox:latest" after the stage's FROM, before its steps.
        engine.build(BuildRequest.builder(context).tag("other:latest").dockerfileText(
                "FROM busybox:latest\nRUN echo o > /o\n").build()).get(5, TimeUnit.MINUTES);
        List<String> read = vertices("FROM other:latest\nRUN true\nCOPY --from=busybox:latest /bin/true /x\n");
        assertEquals(List.of("stage-0 1/3 FROM docker.io/library/other:latest",
                "0/0 FROM docker.io/library/busybox:latest", "stage-0 2/3 RUN true",
                "stage-0 3/3 COPY --from=busybox:latest /bin/true /x"), read, read.toString());
    }

    @Test
    void stepsThatChangeNothing_stillAddAnEmptyLayer_butWorkdirRootAddsNone() throws Exception {
        // BuildKit keeps a layer per RUN/COPY/ADD/WORKDIR even when its diff is empty; WORKDIR / has no file op.
        BuildResult result = build("""
                FROM busybox:latest
                RUN true
                WORKDIR /etc
                WORKDIR /
                """);
        JsonNode history = new ObjectMapper().readTree(result.config()).get("history");
        assertEquals(4, history.size(), history.toString());
        assertFalse(history.get(1).has("empty_layer"), history.get(1).toString());
        assertFalse(history.get(2).has("empty_layer"), history.get(2).toString());
        assertTrue(history.get(3).get("empty_layer").asBoolean(), history.get(3).toString());
        assertEquals(3, result.layers().size(), "busybox, RUN true, WORKDIR /etc: " + result.layers());
        assertEquals("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
                result.layers().get(2).diffId(), "the empty tar (1024 zero bytes), BuildKit's empty layer diffID");
    }

    @Test
    void metadataInstructions_setTheConfigWithEmptyLayerHistory() throws Exception {
        BuildResult result = build("""
                FROM busybox:latest
                ENV A=1 B="two words"
                LABEL team=wharf
                EXPOSE 8080/tcp 53/udp
                ENTRYPOINT ["/bin/echo"]
                CMD ["hi"]
                WORKDIR /w
                USER nobody
                STOPSIGNAL SIGINT
                """);
        JsonNode config = new ObjectMapper().readTree(result.config());
        JsonNode c = config.get("config");
        assertTrue(c.get("Env").toString().contains("\"B=two words\""), c.toString());
        assertEquals("wharf", c.get("Labels").get("team").asText());
        assertTrue(c.get("ExposedPorts").has("53/udp"), c.toString());
        assertEquals("[\"/bin/echo\"]", c.get("Entrypoint").toString());
        assertEquals("[\"hi\"]", c.get("Cmd").toString());
        assertEquals("/w", c.get("WorkingDir").asText());
        assertEquals("nobody", c.get("User").asText());
        assertEquals("SIGINT", c.get("StopSignal").asText());
        JsonNode history = config.get("history");
        assertEquals(9, history.size(), history.toString());
        assertTrue(history.get(1).get("empty_layer").asBoolean(), history.get(1).toString());
        List<String> createdBy = new ArrayList<>();
        history.forEach(h -> createdBy.add(h.get("created_by").asText()));
        assertEquals(List.of("ENV A=1 B=two words", "LABEL team=wharf", "EXPOSE [53/udp 8080/tcp]",
                "ENTRYPOINT [\"/bin/echo\"]", "CMD [\"hi\"]", "WORKDIR /w", "USER nobody", "STOPSIGNAL SIGINT"),
                createdBy.subList(1, 9), "BuildKit's created_by texts");
        assertFalse(history.get(6).has("empty_layer"), "WORKDIR created /w: " + history.get(6));
        assertEquals(List.of("hi"), run());
    }

    @Test
    void sharedCacheMount_getsAFreshCache_whileALockedUserHoldsIt_asInBuildKit() throws Exception {
        build("FROM busybox:latest\nRUN --mount=type=cache,target=/c echo kept > /c/f\n");
        // The cache of id /c (its target) is held by a sharing=locked user, here the test itself.
        Path lockFile = temp.resolve("store/cache-mounts")
                .resolve(dev.wharf.layers.Digest.sha256Of("/c".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .hex() + ".lock");
        String reader = "FROM busybox:latest\nRUN --mount=type=cache,target=/c ls -A /c > /seen; echo %s\n";
        try (CacheMountLock.Held locked = new CacheMountLock(lockFile).exclusive()) {
            build(reader.formatted("while locked"));
            assertEquals(List.of(), run("cat", "/seen"), "a fresh cache, not the locked one");
        }
        build(reader.formatted("after"));
        assertEquals(List.of("f"), run("cat", "/seen"));
    }

    @Test
    void cacheMountFrom_startsFromTheStagesSource_andIsFoundAgainByTheStagesState() throws Exception {
        String dockerfile = """
                FROM busybox:latest AS seed
                RUN mkdir /seed && echo seeded > /seed/s
                FROM busybox:latest
                RUN --mount=type=cache,target=/c,from=seed,source=/seed ls -A /c > /seen; touch /c/written; echo %s
                """;
        build(dockerfile.formatted("first"));
        assertEquals(List.of("s"), run("cat", "/seen"), "seeded from the stage's /seed");
        build(dockerfile.formatted("second"));
        assertEquals(List.of("s", "written"), run("cat", "/seen"), "the same cache: same id and from= state");
    }

    @Test
    void independentStages_runAtTheSameTime() throws Exception {
        engine.close();
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")).withParallelism(2));
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        engine.build(BuildRequest.builder(context).tag("t:latest").listener(events::add).dockerfileText("""
                FROM busybox:latest AS one
                RUN sleep 2; echo one > /one
                FROM busybox:latest AS two
                RUN echo two > /two
                FROM busybox:latest
                COPY --from=one /one /one
                COPY --from=two /two /two
                """).build()).get(5, TimeUnit.MINUTES);
        int oneRun = stepNumber(events, "RUN sleep 2; echo one > /one");
        int twoRun = stepNumber(events, "RUN echo two > /two");
        List<String> order = new ArrayList<>();
        synchronized (events) {
            for (BuildEvent e : events) {
                if (e instanceof BuildEvent.StepStarted s && s.step() == twoRun) {
                    order.add("two started");
                } else if (e instanceof BuildEvent.StepDone d && d.step() == oneRun) {
                    order.add("one done");
                }
            }
        }
        assertEquals(List.of("two started", "one done"), order, "stage two waited for stage one");
        assertEquals(List.of("one", "two"), run("cat", "/one", "/two"));
    }

    private static int stepNumber(List<BuildEvent> events, String name) {
        synchronized (events) {
            return events.stream().filter(e -> e instanceof BuildEvent.StepStarted s && s.name().equals(name))
                    .map(e -> ((BuildEvent.StepStarted) e).step()).findFirst().orElseThrow();
        }
    }

    @Test
    void copy_ofManyFiles_givesEachFileItsContent_intoExistingAndNewDirectories() throws Exception {
        for (String dir : List.of("other", "sub")) {
            Path tree = Files.createDirectories(context.resolve("tree/" + dir));
            for (int i = 0; i < 300; i++) {
                Files.writeString(tree.resolve("f" + i), dir + " " + i + "\n");
            }
        }
        // (A symlink of the image where the tree has a directory fails the copy, as in BuildKit: see
        // copy_ofADirectoryOntoANonDirectory_orOfAFileOntoADirectory_failsAsFsutilDoes.)
        build("""
                FROM busybox:latest
                RUN mkdir -p /dst/other
                COPY tree/ /dst/
                """);
        assertEquals(List.of("other 0", "other 299", "sub 0", "sub 299", "directory", "600"), run("sh", "-c",
                "cat /dst/other/f0 /dst/other/f299 /dst/sub/f0 /dst/sub/f299; stat -c %F /dst/sub; "
                        + "cat /dst/*/* | sort -u | wc -l"));
    }

    @Test
    void copyFrom_aStage_copiesItsMergedTree_asTheSameLayerAsACopyFromItsImage() throws Exception {
        String stage = """
                FROM busybox:latest AS a
                RUN mkdir -p /d/gone /d/keep /d/sub && echo hi > /d/f && ln /d/f /d/hl && ln -s f /d/sl \\
                    && echo x > /d/gone/x && echo k > /d/keep/k && echo k2 > /d/keep/k2 && mkfifo /d/fifo \\
                    && chmod 2750 /d/sub && chown 5:7 /d/sub /d/f
                RUN rm -rf /d/gone && mkdir /d/gone && echo y > /d/gone/y && rm /d/keep/k && ln /d/gone/y /d/gone/y2
                """;
        engine.build(BuildRequest.builder(context).dockerfileText(stage).tag("a:latest").sourceDateEpoch(1_700_000_000L)
                .build()).get(5, TimeUnit.MINUTES);
        BuildResult fromStage = engine.build(BuildRequest.builder(context).dockerfileText(stage + """
                FROM busybox:latest
                COPY --from=a /d /d
                """).tag("t:latest").sourceDateEpoch(1_700_000_000L).build()).get(5, TimeUnit.MINUTES);
        assertEquals(List.of("f fifo gone hl keep sl sub", "y y2", "k2", "5 7 2750", "2 2 2"),
                run("sh", "-c", "ls /d | xargs; ls /d/gone | xargs; ls /d/keep; stat -c '%u %g %a' /d/sub; "
                        + "stat -c %h /d/f /d/hl /d/gone/y | xargs"));
        // The stage is read from its snapshots (a RUN's own upper directories), the image from its layer blobs
        // unpacked: the same files, so the same layer.
        BuildResult fromImage = engine.build(BuildRequest.builder(context).dockerfileText("""
                FROM busybox:latest
                COPY --from=a:latest /d /d
                """).tag("t:latest").sourceDateEpoch(1_700_000_000L).build()).get(5, TimeUnit.MINUTES);
        assertEquals(fromImage.layers().get(fromImage.layers().size() - 1).diffId(),
                fromStage.layers().get(fromStage.layers().size() - 1).diffId());
        // A RUN mount of the stage shows the link counts of its layers.
        build(stage + """
                FROM busybox:latest
                RUN --mount=from=a,target=/m stat -c %h /m/d/f /m/d/keep/k2 | xargs > /links
                """);
        assertEquals(List.of("2 1"), run("cat", "/links"));
    }

    @Test
    void noCacheFilter_rerunsThatStage_andCopyFromHitsWhenItsFilesAreUnchanged() throws Exception {
        String dockerfile = """
                FROM busybox:latest AS one
                RUN echo one > /one
                FROM busybox:latest
                COPY --from=one /one /one
                RUN cat /one > /copied
                """;
        build(dockerfile);
        BuildResult again = engine.build(BuildRequest.builder(context).dockerfileText(dockerfile)
                .noCacheFilter("one").build()).get(5, TimeUnit.MINUTES);
        List<String> ran = again.steps().stream().filter(st -> !st.cached()).map(BuildResult.StepTiming::name)
                .toList();
        // Stage one ran again, but produced the same /one: the COPY --from key is the copied files' checksum.
        assertEquals(List.of("RUN echo one > /one"), ran, again.steps().toString());
    }

    @Test
    void failureInOneStage_stopsTheOtherAndReportsTheFirst() throws Exception {
        long before = System.nanoTime();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> build("""
                        FROM busybox:latest AS slow
                        RUN sleep 600
                        FROM busybox:latest AS failing
                        RUN sleep 1; exit 7
                        FROM busybox:latest
                        COPY --from=slow /bin/sh /a
                        COPY --from=failing /bin/sh /b
                        """));
        dev.wharf.builder.api.BuildFailedException failed = org.junit.jupiter.api.Assertions.assertInstanceOf(
                dev.wharf.builder.api.BuildFailedException.class, e.getCause());
        assertEquals(7, failed.exitCode().orElseThrow());
        assertEquals(4, failed.line());
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(60), "the slow stage was not stopped");
    }

    @Test
    void cancel_stopsTheRunningStepAndReleasesItsSnapshot() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<BuildResult> future = engine.build(BuildRequest.builder(context)
                .dockerfileText("FROM busybox:latest\nRUN echo started; sleep 600\n")
                .listener(e -> {
                    if (e instanceof BuildEvent.StepLog log && log.line().equals("started")) {
                        started.countDown();
                    }
                }).build());
        assertTrue(started.await(60, TimeUnit.SECONDS), "the RUN step did not start");
        long before = System.nanoTime();
        future.cancel(true);
        assertThrows(CancellationException.class, future::join);
        // The build thread kills the process tree and removes the step's snapshot.
        try (OverlaySnapshotter snapshots = new OverlaySnapshotter(temp.resolve("store/snapshots"))) {
            for (int i = 0; i < 100; i++) {
                List<String> active = new ArrayList<>();
                snapshots.walk(info -> {
                    if (info.kind() != SnapshotKind.COMMITTED) {
                        active.add(info.name());
                    }
                });
                if (active.isEmpty()) {
                    break;
                }
                assertTrue(i < 99, "snapshots left after cancel: " + active);
                Thread.sleep(100);
            }
        }
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(30), "cancel took too long");
    }

    /**
     * Attacks: a RUN without limits that forks a tree of sleepers (one in a nested shell), cancelled through the API.
     * Must hold: the step ran in a cgroup of its own, no sleeper survives, and that cgroup directory is gone.
     */
    @Test
    void cancel_killsTheRunsWholeProcessTree_andRemovesItsCgroup() throws Exception {
        CompletableFuture<BuildResult> future = buildUntilStarted("RUN sh -c 'sleep 987721 & sleep 987722 & wait' & "
                + "sleep 987723 & echo started; wait");
        long sleeper = awaitProcess("sleep", "987721");
        Path cgroup = freezerCgroup(sleeper);
        assertTrue(cgroup != null && !cgroup.equals(freezerCgroup(ProcessHandle.current().pid())),
                "the step runs in a cgroup of its own: " + cgroup);
        future.cancel(true);
        assertThrows(CancellationException.class, future::join);
        for (int i = 0; i < 300; i++) {
            boolean alive = false;
            for (String s : List.of("987721", "987722", "987723")) {
                alive |= pidRunning("sleep", s) != 0;
            }
            if (!alive && !Files.exists(cgroup)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("after the cancel, sleepers or the cgroup " + cgroup + " remain");
    }

    /**
     * Attacks: the engine closed while a RUN runs, as the CLI's shutdown hook does on Ctrl-C or SIGTERM, right before
     * the JVM exits. Must hold: when close returns, the step's processes are gone and its cgroup is removed (an exit
     * between the freeze and the thaw of a cancel left the processes frozen for good).
     */
    @Test
    void close_whileABuildRuns_returnsOnlyOnceItsProcessesAndCgroupAreGone() throws Exception {
        CompletableFuture<BuildResult> future = buildUntilStarted("RUN sleep 987731 & echo started; wait");
        long sleeper = awaitProcess("sleep", "987731");
        Path cgroup = freezerCgroup(sleeper);
        engine.close();
        assertTrue(future.isCancelled(), "closing the engine cancels the build");
        assertEquals(0, pidRunning("sleep", "987731"), "the sleeper survived the engine's close");
        assertFalse(Files.exists(cgroup), "the step's cgroup " + cgroup + " survived the engine's close");
    }

    /** Starts a build of busybox plus {@code run}, which prints "started"; returns once it has. */
    private CompletableFuture<BuildResult> buildUntilStarted(String run) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<BuildResult> future = engine.build(BuildRequest.builder(context)
                .dockerfileText("FROM busybox:latest\n" + run + "\n")
                .listener(e -> {
                    if (e instanceof BuildEvent.StepLog log && log.line().equals("started")) {
                        started.countDown();
                    }
                }).build());
        assertTrue(started.await(60, TimeUnit.SECONDS), "the RUN step did not start");
        return future;
    }

    /** The pid of the process running exactly {@code argv}, waiting up to 4 s for it to appear. */
    private static long awaitProcess(String... argv) throws IOException, InterruptedException {
        long pid = 0;
        for (int i = 0; i < 200 && pid == 0; i++) {
            pid = pidRunning(argv);
            Thread.sleep(20);
        }
        assertTrue(pid != 0, "no process runs " + String.join(" ", argv));
        return pid;
    }

    /** The pid of a process running exactly {@code argv}, or 0. */
    private static long pidRunning(String... argv) throws IOException {
        String wanted = String.join("\0", argv) + "\0";
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(q -> q.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (new String(Files.readAllBytes(proc.resolve("cmdline"))).equals(wanted)) {
                        return Long.parseLong(proc.getFileName().toString());
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        return 0;
    }

    /** The host directory of the cgroup that freezes a process (see FreezerCgroups). */
    private static Path freezerCgroup(long pid) throws IOException {
        return dev.wharf.builder.testing.FreezerCgroups.of(pid);
    }
}
