package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Docker's default profile resolved as moby's {@code setupSeccomp} does, for Docker's default capabilities. */
class SeccompProfileTest {
    private final OciSpec.Seccomp amd64 = SeccompProfile.dockerDefault()
            .resolve("amd64", OciSpecFactory.DEFAULT_CAPABILITIES, 6, 1);

    private boolean allowed(OciSpec.Seccomp profile, String name) {
        return profile.syscalls().stream().anyMatch(s -> s.action().equals("SCMP_ACT_ALLOW")
                && s.args().isEmpty() && s.names().contains(name));
    }

    @Test
    void defaultDeniesWithEperm_andTheHostArchitectureComesWithItsSubArchitectures() {
        assertEquals("SCMP_ACT_ERRNO", amd64.defaultAction());
        assertEquals(1L, amd64.defaultErrnoRet());
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
                amd64.architectures());
    }

    @Test
    void capabilityRules_followTheBoundingSet() {
        assertTrue(allowed(amd64, "read") && allowed(amd64, "chroot") && allowed(amd64, "arch_prctl"));
        assertFalse(allowed(amd64, "keyctl") || allowed(amd64, "add_key") || allowed(amd64, "unshare")
                || allowed(amd64, "mount") || allowed(amd64, "reboot") || allowed(amd64, "clone3"));
        // clone3 fails with ENOSYS without CAP_SYS_ADMIN, so that libc falls back to clone (filtered by flags).
        assertTrue(amd64.syscalls().stream().anyMatch(s -> s.names().equals(List.of("clone3"))
                && Long.valueOf(38).equals(s.errnoRet())));
        OciSpec.Seccomp admin = SeccompProfile.dockerDefault().resolve("amd64", List.of("CAP_SYS_ADMIN"), 6, 1);
        assertTrue(allowed(admin, "unshare") && allowed(admin, "mount"));
        assertFalse(allowed(admin, "chroot"));
    }

    @Test
    void dockerDefault_isReadOnce_andResolvesAlikeEveryTime() {
        assertSame(SeccompProfile.dockerDefault(), SeccompProfile.dockerDefault());
        assertEquals(amd64, SeccompProfile.dockerDefault().resolve("amd64", OciSpecFactory.DEFAULT_CAPABILITIES, 6, 1));
    }

    @Test
    void archAndKernelRules_applyOnlyWhereTheyHold() {
        OciSpec.Seccomp arm64 = SeccompProfile.dockerDefault()
                .resolve("aarch64", OciSpecFactory.DEFAULT_CAPABILITIES, 4, 4);
        assertEquals(List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"), arm64.architectures());
        assertFalse(allowed(arm64, "arch_prctl"));
        assertFalse(allowed(arm64, "ptrace"), "ptrace needs kernel 4.8 without CAP_SYS_PTRACE");
        assertTrue(allowed(amd64, "ptrace"));
    }
}
