package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserNamespacesTest {
    @TempDir
    Path dir;

    private Executables tools(String... names) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String n : names) {
            Path p = bin.resolve(n);
            Files.writeString(p, "#!/bin/sh\n");
            p.toFile().setExecutable(true);
        }
        return new Executables(List.of(bin));
    }

    @Test
    void range_isTheFirstEntryOfTheUserByNameOrUid() throws IOException {
        Path subuid = Files.writeString(dir.resolve("subuid"),
                "root:100000:65536\nbad:line\n1001:300000:10\nalice:165536:65536\nalice:400000:5\n");
        assertEquals(Optional.of(new UserNamespaces.Range(165536, 65536)),
                UserNamespaces.range(subuid, "alice", 1000));
        assertEquals(Optional.of(new UserNamespaces.Range(300000, 10)), UserNamespaces.range(subuid, "bob", 1001));
        assertEquals(Optional.empty(), UserNamespaces.range(subuid, "carol", 1002));
        assertEquals(Optional.empty(), UserNamespaces.range(dir.resolve("missing"), "alice", 1000));
    }

    @Test
    void command_mapsRootToTheUserAndOneUpToTheSubordinateRanges() throws Exception {
        Path subuid = Files.writeString(dir.resolve("subuid"), "alice:165536:65536\n");
        Path subgid = Files.writeString(dir.resolve("subgid"), "alice:200000:1000\n");
        Executables tools = tools("unshare", "newuidmap", "newgidmap");
        List<String> command = UserNamespaces.command(List.of("java", "-jar", "wharf.jar"), tools, "alice", 1000,
                subuid, subgid);
        String unshare = dir.resolve("bin/unshare").toString();
        assertEquals(List.of(unshare, "--map-root-user", "--map-users=165536,1,65536", "--map-groups=200000,1,1000",
                "--", "java", "-jar", "wharf.jar"), command);
    }

    @Test
    void command_isASingleIdMappingWithoutRangesOrNewuidmap() throws Exception {
        Path subuid = Files.writeString(dir.resolve("subuid"), "alice:165536:65536\n");
        Path subgid = Files.writeString(dir.resolve("subgid"), "alice:165536:65536\n");
        String unshare = dir.resolve("bin/unshare").toString();
        assertEquals(List.of(unshare, "--map-root-user", "--", "true"), UserNamespaces.command(List.of("true"),
                tools("unshare"), "alice", 1000, subuid, subgid));
        assertEquals(List.of(unshare, "--map-root-user", "--", "true"), UserNamespaces.command(List.of("true"),
                tools("unshare", "newuidmap", "newgidmap"), "bob", 1001, subuid, subgid));
    }

    @Test
    void command_withoutUnshareSaysWhatToInstall() throws Exception {
        SandboxUnavailableException e = org.junit.jupiter.api.Assertions.assertThrows(
                SandboxUnavailableException.class, () -> UserNamespaces.command(List.of("true"), tools(), "alice",
                        1000, dir.resolve("subuid"), dir.resolve("subgid")));
        assertTrue(e.getMessage().contains("util-linux"), e.getMessage());
    }

    @Test
    void rootlessSpec_hasNoSysMountsAndNoCgroup() {
        SandboxSpec spec = SandboxSpec.builder(List.of(dev.wharf.builder.snapshot.Mount.bind("/r", false)),
                List.of("true"), Path.of("/h"), Path.of("/r.conf")).build();
        OciSpec rootless = new OciSpecFactory().create(spec, "wharf-1", "rootfs",
                new OciSpecFactory.HostFacts(HostLimits.unlimited(), true, true));
        assertFalse(rootless.mounts().stream().anyMatch(m -> m.destination().startsWith("/sys")));
        assertFalse(rootless.mounts().stream().anyMatch(m -> m.options().contains("gid=5")));
        assertEquals(null, rootless.linux().cgroupsPath());
        assertEquals(null, rootless.linux().resources());
        OciSpec rooted = new OciSpecFactory().create(spec, "wharf-1", "rootfs",
                new OciSpecFactory.HostFacts(HostLimits.unlimited(), true));
        assertTrue(rooted.mounts().stream().anyMatch(m -> m.destination().equals("/sys")));
        assertEquals("/wharf/wharf-1/ctr", rooted.linux().cgroupsPath());
    }
}
