package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sandbox's host process runs only while its parent is the JVM that started it: the native helper (its
 * {@code parent} option) and the shell path ({@link Launcher#tiedToJvm}). A JVM killed after handing a sandbox's
 * command to its spawn helper, before the exec, leaves that process to start as an orphan; it must then run nothing,
 * or the killed build's step would run on after it, into the state the next build sweeps.
 */
class JvmParentTest {
    @TempDir
    Path temp;

    @Test
    void aHelperWhoseNamedParentIsGone_runsNothing_andOneStartedByItsParentRuns() throws Exception {
        HostRequirements.requireRoot();
        Optional<Path> installed = HelperBinary.install(temp.resolve(".helper"));
        HostRequirements.require(installed.isPresent(), "this build has no native sandbox helper (no gcc)");
        Path helper = installed.get();

        // The pid of a process that has exited, as the killed JVM's is when its orphan starts.
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(30, TimeUnit.SECONDS));
        Path ready = temp.resolve("ready");
        Path ran = temp.resolve("ran");
        Process orphan = new ProcessBuilder(List.of(helper.toString(), "parent", Long.toString(gone.pid()), "host",
                "ready", ready.toString(), "--", "touch", ran.toString())).redirectErrorStream(true).start();
        assertTrue(orphan.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, orphan.exitValue(), new String(orphan.getInputStream().readAllBytes()));
        assertFalse(Files.exists(ready), "an orphaned helper sets nothing up");
        assertFalse(Files.exists(ran), "an orphaned helper runs nothing");

        List<String> own = new java.util.ArrayList<>(List.of(helper.toString()));
        own.addAll(HelperCommand.parent());
        own.addAll(List.of("host", "ready", ready.toString(), "--", "touch", ran.toString()));
        Process child = new ProcessBuilder(own).redirectErrorStream(true).start();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), new String(child.getInputStream().readAllBytes()));
        assertTrue(Files.exists(ready) && Files.exists(ran), "the JVM's own helper runs");
    }

    @Test
    void theShellPathsPrefix_runsTheCommandOnlyWithThisJvmAsItsParent() throws Exception {
        Executables tools = Executables.fromEnvironment();
        Path setpriv = HostRequirements.requireTool("setpriv", "apt-get install util-linux");
        Path sh = tools.find("sh").orElseThrow();
        Path ran = temp.resolve("ran");
        List<String> tied = Launcher.tiedToJvm(setpriv, sh, List.of("touch", ran.toString()));

        // Started by another process (as an orphan's parent is init): the intermediate shell waits and reports.
        List<String> viaOther = new java.util.ArrayList<>(List.of(sh.toString(), "-c", "\"$@\"; code=$?; exit $code",
                "other"));
        viaOther.addAll(tied);
        Process other = new ProcessBuilder(viaOther).redirectErrorStream(true).start();
        assertTrue(other.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, other.exitValue(), new String(other.getInputStream().readAllBytes()));
        assertFalse(Files.exists(ran), "not this JVM's child: runs nothing");

        Process own = new ProcessBuilder(tied).redirectErrorStream(true).start();
        assertTrue(own.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, own.exitValue(), new String(own.getInputStream().readAllBytes()));
        assertTrue(Files.exists(ran), "this JVM's child runs");
    }
}
