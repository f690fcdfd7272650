package dev.wharf.builder.sandbox;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Path;

/** The sandbox contract for runc. */
class RuncSandboxTest extends SandboxContract {
    @Override
    Sandbox create(Path stateRoot) throws Exception {
        Path runc = HostRequirements.requireTool("runc", "apt-get install runc");
        return new OciRuntimeSandbox("runc", runc, stateRoot, Executables.fromEnvironment(),
                new OciSpecFactory.HostFacts(HostLimits.current(), false), new OciSpecFactory(cgroupParent));
    }
}
