package dev.wharf.builder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OverlaySnapshotterTest extends SnapshotterContract {
    @Override
    LocalSnapshotter open(Path root) throws SnapshotException {
        return new OverlaySnapshotter(root);
    }

    @Test
    void mounts_followContainerdsOverlayRules() throws Exception {
        layer("l1", null);
        layer("l2", "l1");
        List<Mount> v1 = snapshotter.view("v1", "l1");
        String l1 = v1.get(0).source();
        assertTrue(l1.endsWith("/fs"), l1);
        assertEquals(List.of(Mount.bind(l1, true)), v1);
        String l2 = snapshotter.view("v1b", "l2").get(0).lowerDirs().get(0);
        List<String> userxattr = OverlaySnapshotter.kernelAtLeast(5, 11) ? List.of("userxattr") : List.of();
        assertEquals(List.of(new Mount("overlay", "overlay", concat(List.of("lowerdir=" + l2 + ":" + l1), userxattr))),
                snapshotter.view("v2", "l2"));
        List<Mount> active = snapshotter.prepare("a", "l2");
        Path dir = Path.of(active.get(0).writableDir().orElseThrow()).getParent();
        assertEquals(List.of(new Mount("overlay", "overlay", concat(List.of("workdir=" + dir.resolve("work"),
                "upperdir=" + dir.resolve("fs"), "lowerdir=" + l2 + ":" + l1), userxattr))), active);
        assertEquals(List.of(l2, l1), active.get(0).lowerDirs());
        assertEquals(List.of(dir.resolve("fs").toString(), l2, l1), active.get(0).layerDirs());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void opaqueDirectory_deletesWhatTheParentsHadThere() throws Exception {
        layer("l1", null, "srv/old/a", "1", "srv/old/b", "2", "srv/keep", "k");
        layer("l2", "l1", "srv/old/c", "3");
        List<Mount> m = snapshotter.prepare("k", "l2");
        Path upper = writable(m);
        Files.createDirectories(upper.resolve("srv/old"));
        Files.writeString(upper.resolve("srv/old/b"), "re-created");
        java.nio.file.attribute.UserDefinedFileAttributeView x = Files.getFileAttributeView(upper.resolve("srv/old"),
                java.nio.file.attribute.UserDefinedFileAttributeView.class);
        x.write("overlay.opaque", java.nio.ByteBuffer.wrap(new byte[] {'y'}));
        List<String> changes = snapshotter.changes("k").stream().map(c -> c.kind() + " " + c.path()).toList();
        assertTrue(changes.contains("DELETE /srv/old/a"), changes.toString());
        assertTrue(changes.contains("DELETE /srv/old/c"), changes.toString());
        assertTrue(changes.contains("MODIFY /srv/old/b"), changes.toString());
        assertTrue(changes.stream().noneMatch(c -> c.endsWith("/srv/keep") || c.equals("DELETE /srv/old")
                || c.equals("DELETE /srv/old/b")), changes.toString());
    }

    @Test
    void whiteoutsInTheUpperDirectory_areDeletions() throws Exception {
        HostRequirements.requireRoot();
        layer("base", null, "etc/gone", "x", "keep", "y");
        List<Mount> m = snapshotter.prepare("k", "base");
        Path upper = writable(m);
        Files.createDirectories(upper.resolve("etc"));
        Path lowerEtc = Path.of(m.get(0).lowerDirs().get(0), "etc");
        Process p = new ProcessBuilder("mknod", upper.resolve("etc/gone").toString(), "c", "0", "0").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0);
        // What overlayfs's copy-up does: the directory keeps the lower one's metadata.
        Files.setLastModifiedTime(upper.resolve("etc"), Files.getLastModifiedTime(lowerEtc));
        Process q = new ProcessBuilder("mknod", upper.resolve("never-existed").toString(), "c", "0", "0").start();
        assertTrue(q.waitFor(10, TimeUnit.SECONDS) && q.exitValue() == 0);
        assertEquals(List.of(new Change(ChangeKind.DELETE, "/etc/gone", Optional.empty())),
                snapshotter.changes("k"), "copied-up /etc is unchanged; a whiteout of nothing is no change");
    }
}
