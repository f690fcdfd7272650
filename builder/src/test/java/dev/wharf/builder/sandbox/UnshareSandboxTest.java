package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The sandbox contract for the built-in sandbox as wharf uses it: set up by the native helper when the build compiled
 * one (gcc), which under {@code CI=true} it must have.
 */
class UnshareSandboxTest extends SandboxContract {
    @Override
    Sandbox create(Path stateRoot) throws Exception {
        HostRequirements.requireTool("setpriv", "install util-linux");
        return new UnshareSandbox(stateRoot, Executables.fromEnvironment(), HostLimits.current());
    }

    @Test
    void nativeHelper_isInUseWhenTheBuildCompiledIt() throws Exception {
        boolean packaged = UnshareSandbox.class.getResource(HelperBinary.resource()) != null;
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(packaged, "CI=true: the build must compile the native sandbox helper (apt-get install gcc"
                    + " libc6-dev), resource " + HelperBinary.resource() + " is missing");
        }
        assertEquals(packaged, ((UnshareSandbox) sandbox).usesNativeHelper());
        if (packaged) {
            try (var helpers = Files.list(temp.resolve("state/.helper"))) {
                Path helper = helpers.filter(p -> p.getFileName().toString().startsWith("wharf-sandbox-")
                        && !p.getFileName().toString().endsWith(".id"))
                        .findFirst().orElseThrow();
                assertTrue(Files.isExecutable(helper), helper.toString());
            }
            // It is what runs: the JVM's child is the helper, with no util-linux unshare or setpriv in between.
            try (SandboxProcess p = sandbox.start(shell(active(), "sleep 987656").build(), OutputListener.discard())) {
                java.util.List<String> commands = ProcessHandle.current().children()
                        .map(h -> h.info().command().orElse("")).toList();
                assertTrue(commands.stream().anyMatch(c -> c.contains("/.helper/wharf-sandbox-")), commands.toString());
                assertTrue(commands.stream().noneMatch(c -> c.endsWith("/setpriv") || c.endsWith("/unshare")),
                        commands.toString());
                p.cancel();
                p.waitFor();
            }
        }
    }
}
