package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.sandbox.Executables;
import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command that cannot be executed, under every runtime on this host: {@code wharf run} exits as {@code docker run}
 * does (127 not found, 126 not executable), and a RUN step fails with BuildKit's {@code exit code: 1} (runc's own
 * status; measured with dockerd 26's BuildKit: {@code process "nosuch" did not complete successfully: exit code:
 * 1}), while a shell that does not find a command still reports the shell's 127.
 */
class NotExecutableCommandTest {
    @TempDir
    Path temp;

    @Test
    void run_exitsWithDockerRunsCodes_andRunStepsWithBuildKits_underEveryRuntime() throws Exception {
        HostRequirements.requireRoot();
        List<String> runtimes = new ArrayList<>(List.of("builtin"));
        for (String runtime : List.of("runc", "crun")) {
            if (Executables.fromEnvironment().find(runtime).isPresent()) {
                runtimes.add(runtime);
            }
        }
        Path context = Files.createDirectories(temp.resolve("ctx"));
        for (String runtime : runtimes) {
            try (BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve("store-" + runtime))
                    .withRuntime(runtime))) {
                engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("bb-" + runtime))),
                        "busybox:latest");
                List<String> out = Collections.synchronizedList(new ArrayList<>());
                assertEquals(127, engine.run("busybox:latest", List.of("nosuch"), (s, l) -> out.add(l)), runtime);
                assertEquals(127, engine.run("busybox:latest", List.of("/no/such"), (s, l) -> out.add(l)), runtime);
                assertEquals(126, engine.run("busybox:latest", List.of("/etc/passwd"), (s, l) -> out.add(l)),
                        runtime);
                assertEquals(126, engine.run("busybox:latest", List.of("/etc"), (s, l) -> out.add(l)), runtime);
                assertEquals(127, engine.run("busybox:latest", List.of("sh", "-c", "exit 127"), (s, l) -> { }),
                        runtime);

                BuildFailedException exec = failure(engine, context, "FROM busybox:latest\nRUN [\"nosuch\"]\n");
                assertEquals(1, exec.exitCode().orElseThrow(), runtime);
                assertEquals("process \"nosuch\" did not complete successfully: exit code: 1", exec.reason(),
                        runtime);
                BuildFailedException shell = failure(engine, context, "FROM busybox:latest\nRUN nosuch\n");
                assertEquals(127, shell.exitCode().orElseThrow(), runtime);
            }
        }
    }

    private static BuildFailedException failure(BuildEngine engine, Path context, String dockerfile) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> engine.build(
                BuildRequest.builder(context).dockerfileText(dockerfile).build()).get(5, TimeUnit.MINUTES));
        return assertInstanceOf(BuildFailedException.class, e.getCause());
    }
}
