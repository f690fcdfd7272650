package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The sandbox contract for runc started the shell way (setpriv, unshare and a setup script), as where wharf was
 * built without gcc; crun shares this code.
 */
class RuncShellSandboxTest extends SandboxContract {
    @Override
    Sandbox create(Path stateRoot) throws Exception {
        Path runc = HostRequirements.requireTool("runc", "apt-get install runc");
        return new OciRuntimeSandbox("runc", runc, stateRoot, Executables.fromEnvironment(),
                new OciSpecFactory.HostFacts(HostLimits.current(), false), new OciSpecFactory(cgroupParent), false);
    }

    @Test
    void shellPath_isInUse() {
        assertFalse(((OciRuntimeSandbox) sandbox).usesNativeHelper());
    }
}
