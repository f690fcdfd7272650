package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The sandbox contract for runc, started by the native helper when the build compiled one. */
class RuncSandboxTest extends SandboxContract {
    @Override
    Sandbox create(Path stateRoot) throws Exception {
        Path runc = HostRequirements.requireTool("runc", "apt-get install runc");
        return new OciRuntimeSandbox("runc", runc, stateRoot, Executables.fromEnvironment(),
                new OciSpecFactory.HostFacts(HostLimits.current(), false), new OciSpecFactory(cgroupParent));
    }

    @Test
    void nativeHelper_startsTheRuntimeWhenTheBuildCompiledIt() throws Exception {
        boolean packaged = OciRuntimeSandbox.class.getResource(HelperBinary.resource()) != null;
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(packaged, "CI=true: the build must compile the native sandbox helper (apt-get install gcc"
                    + " libc6-dev)");
        }
        assertEquals(packaged, ((OciRuntimeSandbox) sandbox).usesNativeHelper());
    }
}
