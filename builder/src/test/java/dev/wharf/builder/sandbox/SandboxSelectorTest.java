package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SandboxSelectorTest {
    private static final Optional<Path> RUNC = Optional.of(Path.of("/usr/sbin/runc"));
    private static final Optional<Path> CRUN = Optional.of(Path.of("/usr/bin/crun"));

    private static SandboxSelector.Host host(Optional<Path> runc, Optional<Path> crun, boolean builtin) {
        return new SandboxSelector.Host(true, true, true, runc, crun, builtin);
    }

    private static Optional<RuntimeChoice> decide(RuntimeChoice choice, SandboxSelector.Host host) {
        return SandboxSelector.decide(choice, host).runtime();
    }

    @Test
    void auto_prefersRuncThenCrunThenBuiltin() {
        assertEquals(Optional.of(RuntimeChoice.RUNC), decide(RuntimeChoice.AUTO, host(RUNC, CRUN, true)));
        assertEquals(Optional.of(RuntimeChoice.CRUN), decide(RuntimeChoice.AUTO, host(Optional.empty(), CRUN, true)));
        assertEquals(Optional.of(RuntimeChoice.BUILTIN),
                decide(RuntimeChoice.AUTO, host(Optional.empty(), Optional.empty(), true)));
    }

    @Test
    void explicitChoice_isHonouredOrExplained() {
        assertEquals(Optional.of(RuntimeChoice.BUILTIN), decide(RuntimeChoice.BUILTIN, host(RUNC, CRUN, true)));
        assertEquals(Optional.of(RuntimeChoice.CRUN), decide(RuntimeChoice.CRUN, host(RUNC, CRUN, true)));
        SandboxSelector.Decision noRunc = SandboxSelector.decide(RuntimeChoice.RUNC,
                host(Optional.empty(), CRUN, true));
        assertEquals(Optional.empty(), noRunc.runtime());
        assertTrue(noRunc.reason().contains("runc is not on PATH"), noRunc.reason());
        assertTrue(noRunc.reason().contains("apt-get install runc"), noRunc.reason());
    }

    @Test
    void hostThatCannotSandbox_saysWhyAndWhatToDo() {
        SandboxSelector.Decision nothing = SandboxSelector.decide(RuntimeChoice.AUTO,
                host(Optional.empty(), Optional.empty(), false));
        assertEquals(Optional.empty(), nothing.runtime());
        assertTrue(nothing.reason().contains("install runc"), nothing.reason());
        SandboxSelector.Decision notLinux = SandboxSelector.decide(RuntimeChoice.AUTO,
                new SandboxSelector.Host(false, false, false, RUNC, CRUN, true));
        assertTrue(notLinux.reason().contains("Linux"), notLinux.reason());
        SandboxSelector.Decision notRoot = SandboxSelector.decide(RuntimeChoice.AUTO,
                new SandboxSelector.Host(true, false, true, RUNC, CRUN, true));
        assertTrue(notRoot.reason().contains("root"), notRoot.reason());
        SandboxSelector.Decision noNs = SandboxSelector.decide(RuntimeChoice.AUTO,
                new SandboxSelector.Host(true, true, false, RUNC, CRUN, true));
        assertTrue(noNs.reason().contains("namespaces"), noNs.reason());
    }

    @Test
    void select_onAnEmptyPath_throwsUnavailableWithTheReason() {
        SandboxSelector selector = new SandboxSelector(new Executables(java.util.List.of()), Path.of("/nonexistent"),
                HostLimits.unlimited());
        SandboxUnavailableException e = assertThrows(SandboxUnavailableException.class,
                () -> selector.select(RuntimeChoice.AUTO));
        assertTrue(e.getMessage().startsWith("cannot run RUN steps on this host: "), e.getMessage());
    }

    @Test
    void runtimeNames_parseCaseInsensitively() {
        assertEquals(RuntimeChoice.BUILTIN, RuntimeChoice.parse("Builtin"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuntimeChoice.parse("kata"));
        assertTrue(e.getMessage().contains("auto, runc, crun or builtin"));
    }
}
