package dev.wharf.builder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootViewTest {
    @TempDir
    Path temp;

    @Test
    void symlinks_resolveInsideTheRoot() throws Exception {
        Path root = Files.createDirectories(temp.resolve("root"));
        Files.createDirectories(root.resolve("real/dir"));
        Files.writeString(root.resolve("real/dir/file"), "x");
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/real"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../../real"));
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        RootView view = RootView.ofDirectory(root);
        assertEquals("/real/dir/file", view.canonical("/abs/dir/file"));
        assertEquals("/real/dir/file", view.canonical("up/dir/../dir/./file"));
        assertEquals(root.resolve("real/dir/file"), view.find("/up/dir/file").orElseThrow());
        assertEquals("/real/dir/missing/deeper", view.canonical("/abs/dir/missing/deeper"));
        assertFalse(view.exists("/abs/dir/missing"));
        assertFalse(view.exists("/real/dir/file/below-a-file"));
        assertEquals("/etc", view.canonical("/../../etc"));
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> view.canonical("/loop/x"));
    }

    @Test
    void canonicalWithin_confinesSymlinksAndDotDotToTheGivenDirectory_likeAChrootThere() throws Exception {
        Path root = Files.createDirectories(temp.resolve("chroot"));
        Files.createDirectories(root.resolve("opt/x/etc"));
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("run"));
        Files.createSymbolicLink(root.resolve("opt/x/abs"), Path.of("/etc"));
        Files.createSymbolicLink(root.resolve("opt/x/up"), Path.of("../../../run"));
        Files.createDirectories(root.resolve("var"));
        Files.createSymbolicLink(root.resolve("var/run"), Path.of("/run"));
        RootView view = RootView.ofDirectory(root);
        assertEquals("/opt/x/etc/conf.d", view.canonicalWithin("/opt/x", List.of("abs", "conf.d")));
        assertEquals("/opt/x/run", view.canonicalWithin("/opt/x", List.of("up")));
        assertEquals("/run/act", view.canonicalWithin("/", List.of("var", "run", "act")));
        assertEquals("/opt/x", view.canonicalWithin("/opt/x", List.of()));
    }

    @Test
    void layers_mergeTopDown_andWhiteoutsHideLowerFiles() throws Exception {
        HostRequirements.requireRoot();
        Path upper = Files.createDirectories(temp.resolve("upper/etc"));
        Path lower = Files.createDirectories(temp.resolve("lower/etc"));
        Files.writeString(lower.resolve("passwd"), "lower");
        Files.writeString(lower.resolve("group"), "lower group");
        Files.writeString(lower.resolve("shadow"), "lower shadow");
        Files.writeString(upper.resolve("passwd"), "upper");
        Process mknod = new ProcessBuilder("mknod", upper.resolve("shadow").toString(), "c", "0", "0").start();
        assertTrue(mknod.waitFor(10, TimeUnit.SECONDS) && mknod.exitValue() == 0);
        Files.createDirectories(temp.resolve("lower/home/user"));
        Files.writeString(temp.resolve("upper/home"), "a file hides the lower directory");
        RootView view = RootView.of(List.of(new Mount("overlay", "overlay", List.of(
                "upperdir=" + temp.resolve("upper"), "lowerdir=" + temp.resolve("lower")))));
        assertEquals("upper", Files.readString(view.find("/etc/passwd").orElseThrow()));
        assertEquals("lower group", Files.readString(view.find("/etc/group").orElseThrow()));
        assertFalse(view.exists("/etc/shadow"));
        assertFalse(view.exists("/home/user"));
        assertTrue(view.exists("/home"));
        assertEquals(List.of("group", "passwd"), view.list("/etc"));
        assertEquals(java.util.Optional.empty(), view.entry("/etc/shadow"));
    }

    @Test
    void theWritableLayer_isReadAfresh_whileLowerLayersAreRemembered() throws Exception {
        Path upper = Files.createDirectories(temp.resolve("upper"));
        Files.createDirectories(temp.resolve("lower/etc"));
        Files.writeString(temp.resolve("lower/etc/group"), "lower group");
        RootView view = RootView.of(List.of(new Mount("overlay", "overlay", List.of(
                "upperdir=" + upper, "lowerdir=" + temp.resolve("lower")))));
        assertFalse(view.exists("/etc/hosts"));
        assertEquals(temp.resolve("lower/etc/group"), view.find("/etc/group").orElseThrow());
        // A step writes into the upper directory while the view lives (COPY, WORKDIR): the view sees it.
        Files.createDirectories(upper.resolve("etc"));
        Files.writeString(upper.resolve("etc/hosts"), "stub");
        Files.writeString(upper.resolve("etc/group"), "upper group");
        assertTrue(view.exists("/etc/hosts"));
        assertEquals(upper.resolve("etc/group"), view.find("/etc/group").orElseThrow());
        assertEquals(List.of("group", "hosts"), view.list("/etc"));
    }

    @Test
    void opaqueDirectories_hideTheLayersBelow_andLiteralLookupsDoNotFollowLinks() throws Exception {
        Path upper = Files.createDirectories(temp.resolve("upper/srv"));
        Path lower = Files.createDirectories(temp.resolve("lower/srv"));
        Files.writeString(lower.resolve("old"), "old");
        Files.writeString(upper.resolve("new"), "new");
        Files.createSymbolicLink(upper.resolve("link"), Path.of("/elsewhere"));
        java.nio.file.attribute.UserDefinedFileAttributeView x = Files.getFileAttributeView(upper,
                java.nio.file.attribute.UserDefinedFileAttributeView.class);
        x.write("overlay.opaque", java.nio.ByteBuffer.wrap(new byte[] {'y'}));
        RootView view = RootView.ofLayers(List.of(temp.resolve("upper"), temp.resolve("lower")));
        assertEquals(List.of("link", "new"), view.list("/srv"));
        assertFalse(view.exists("/srv/old"));
        assertEquals(upper.resolve("link"), view.entry("/srv/link").orElseThrow());
        assertFalse(view.exists("/srv/link"), "the link's target does not exist in the root");
        RootView below = RootView.ofLayers(List.of(temp.resolve("lower")));
        assertEquals(List.of("old"), below.list("/srv"));
    }
}
