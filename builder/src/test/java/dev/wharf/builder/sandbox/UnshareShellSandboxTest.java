package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The sandbox contract for the built-in sandbox's shell path (util-linux unshare, setpriv, mount and a setup script),
 * which serves where wharf was built without gcc or for another architecture.
 */
class UnshareShellSandboxTest extends SandboxContract {
    @Override
    Sandbox create(Path stateRoot) throws Exception {
        HostRequirements.requireTool("setpriv", "install util-linux");
        return new UnshareSandbox(stateRoot, Executables.fromEnvironment(), HostLimits.current(), false, false);
    }

    @Test
    void shellPath_isInUse() {
        assertFalse(((UnshareSandbox) sandbox).usesNativeHelper());
    }
}
