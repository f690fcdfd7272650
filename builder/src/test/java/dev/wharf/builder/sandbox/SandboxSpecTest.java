package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.RootView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spec carries the caller's view of the root filesystem to the sandbox, so what the view learnt of the committed
 * layers (the RUN step's user lookup in {@code /etc}) is not read again by the sandbox.
 */
class SandboxSpecTest {
    @TempDir
    Path temp;

    @Test
    void aGivenRootView_reachesTheSandboxAsIs_elseOneIsMadeOfTheRootfs() throws Exception {
        Path root = Files.createDirectories(temp.resolve("root/etc"));
        Files.writeString(root.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        List<Mount> rootfs = List.of(Mount.bind(temp.resolve("root").toString(), false));
        RootView view = RootView.of(rootfs);
        SandboxSpec given = SandboxSpec.builder(rootfs, List.of("true"), temp, temp).rootView(view).build();
        assertSame(view, given.rootView());

        SandboxSpec made = SandboxSpec.builder(rootfs, List.of("true"), temp, temp).build();
        assertNotNull(made.rootView());
        assertTrue(made.rootView().exists("/etc/passwd"));
        assertFalse(made.rootView().exists("/etc/group"));
    }
}
