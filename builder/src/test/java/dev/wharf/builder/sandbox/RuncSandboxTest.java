package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void programThatCannotStart_isReportedOnStderrAsPlainText_asUnderBuildKit() throws Exception {
        // BuildKit's runcexecutor gives runc a JSON log file, so runc prints its start failure as plain text.
        Result r = run(SandboxSpec.builder(active(), List.of("/no/such/program"), hosts, resolv).build());
        // runc itself exits 1; the sandbox reports docker run's code (StepRunner reports BuildKit's 1 for a RUN).
        assertEquals(new ExitStatus(127, ExitStatus.Termination.NOT_EXECUTED), r.status());
        // runc's wording changes between versions (1.1: 'exec: "/no/such/program": stat ...'); its shape does not.
        assertEquals(1, r.err().size(), r.err().toString());
        assertTrue(r.err().get(0).startsWith("runc run failed: unable to start container process: ")
                && r.err().get(0).contains("/no/such/program") && !r.err().get(0).contains("level=error"),
                r.err().get(0));
    }
}
