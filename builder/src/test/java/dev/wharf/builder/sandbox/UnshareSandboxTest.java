package dev.wharf.builder.sandbox;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Path;

/** The sandbox contract for the built-in util-linux sandbox. */
class UnshareSandboxTest extends SandboxContract {
    @Override
    Sandbox create(Path stateRoot) throws Exception {
        HostRequirements.requireTool("setpriv", "install util-linux");
        return new UnshareSandbox(stateRoot, Executables.fromEnvironment(), HostLimits.current());
    }
}
