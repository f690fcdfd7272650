package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RUN's mounts go on in BuildKit's exec op order (targets sorted, then secrets, then ssh), not in the order the
 * RUN lists them: a cache or bind inside another mount's target stays visible when it is listed first. The
 * expected listings are the peer's (dockerd 26) for the same Dockerfile.
 */
class RunMountOrderTest {
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
        context = Files.createDirectories(temp.resolve("ctx/d"));
        Files.writeString(context.resolve("f"), "d\n");
        context = context.getParent();
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void nestedTargetsListedChildFirst_mountParentFirst() throws Exception {
        engine.build(BuildRequest.builder(context).tag("t:latest").dockerfileText("""
                FROM busybox:latest
                RUN --mount=type=cache,id=pip,target=/root/.cache/pip --mount=type=cache,id=root,target=/root/.cache \\
                    touch /root/.cache/pip/p && ls -A /root/.cache /root/.cache/pip > /n1
                RUN --mount=type=cache,id=pip,target=/root/.cache/pip ls -A /root/.cache/pip > /n2
                RUN --mount=type=cache,id=root,target=/root/.cache ls -A /root/.cache > /n3
                RUN --mount=type=bind,source=d,target=/m/sub --mount=type=tmpfs,target=/m ls -A /m /m/sub > /n4
                """).build()).get(5, TimeUnit.MINUTES);
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        int code = engine.run("t:latest",
                List.of("sh", "-c", "cat /n1 /n2 /n3 /n4; ls -A /root; test -e /m || echo no-m"),
                (stream, line) -> out.add(line));
        assertEquals(0, code, out.toString());
        // The child cache's mount point is made inside the parent cache, which keeps it, as BuildKit's does.
        assertEquals(List.of("/root/.cache:", "pip", "", "/root/.cache/pip:", "p", "p", "pip",
                "/m:", "sub", "", "/m/sub:", "f", "no-m"), out);
    }

    @Test
    void aSecretInsideABindListedAfterIt_isMountedOnTop() throws Exception {
        Path token = Files.writeString(temp.resolve("token"), "registry-token");
        engine.build(BuildRequest.builder(context).tag("t:latest").secret("npmrc", token).dockerfileText("""
                FROM busybox:latest
                RUN --mount=type=secret,id=npmrc,target=/app/.npmrc --mount=type=bind,source=d,target=/app,rw \
                    (cat /app/.npmrc; echo; ls -A /app) > /seen
                """).build()).get(5, TimeUnit.MINUTES);
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        assertEquals(0, engine.run("t:latest", List.of("cat", "/seen"), (stream, line) -> out.add(line)));
        assertEquals(List.of("registry-token", ".npmrc", "f"), out);
    }
}
