package dev.wharf.builder.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.store.StoreProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stale sandbox processes: found by a full look, or when a dead run's state says a wharf process was killed. */
class StaleStateTest {
    private static final String RUN = "wharf-0123456789abcdef01234567";

    @TempDir
    Path root;
    private Process orphan;

    @BeforeEach
    void startAProcessOfADeadRun() throws IOException {
        // What a killed build's sandbox process looks like: its command line names its run's state directory.
        Path runDir = StaleState.sandboxStateDir(root).resolve("builtin").resolve(RUN);
        // The shell waits on its standard input (a pipe nobody writes) with no child of its own.
        orphan = new ProcessBuilder("sh", "-c", "read line", runDir.toString()).start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        orphan.destroyForcibly();
        orphan.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void aFullLook_findsTheSandboxProcessOfADeadRun() {
        assertEquals(List.of("pid " + orphan.pid()), staleProcesses(new StaleState(root, List.of())
                .check(false, false, true)));
    }

    @Test
    void withoutSignOfAKilledProcess_processesAreNotRead() {
        assertEquals(List.of(), staleProcesses(new StaleState(root, List.of()).check(false, false, false)));
    }

    @Test
    void aDeadRunsStateDirectory_isSignEnough_andRepairKillsItsProcess() throws IOException, InterruptedException {
        Files.createDirectories(StaleState.sandboxStateDir(root).resolve("builtin").resolve(RUN));
        List<StoreProblem> found = new StaleState(root, List.of()).check(true, false, false);
        assertEquals(List.of("pid " + orphan.pid()), staleProcesses(found));
        assertTrue(orphan.waitFor(10, TimeUnit.SECONDS), "the stale process was killed");
    }

    private static List<String> staleProcesses(List<StoreProblem> problems) {
        return problems.stream().filter(p -> p.kind() == StoreProblem.Kind.STALE_PROCESS)
                .map(StoreProblem::subject).toList();
    }
}
