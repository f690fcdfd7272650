package dev.wharf.builder.sandbox;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Path;

/** The sandbox contract for crun. */
class CrunSandboxTest extends SandboxContract {
    @Override
    Sandbox create(Path stateRoot) throws Exception {
        Path crun = HostRequirements.requireTool("crun", "apt-get install crun");
        return new OciRuntimeSandbox("crun", crun, stateRoot, Executables.fromEnvironment(),
                new OciSpecFactory.HostFacts(HostLimits.current(), false), new OciSpecFactory(cgroupParent));
    }
}
