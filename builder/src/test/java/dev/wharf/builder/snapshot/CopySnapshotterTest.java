package dev.wharf.builder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CopySnapshotterTest extends SnapshotterContract {
    @Override
    LocalSnapshotter open(Path root) throws SnapshotException {
        return new CopySnapshotter(root);
    }

    @Test
    void prepare_copiesTheParentWithMetadata_andLeavesTheParentUntouched() throws Exception {
        List<Mount> m0 = snapshotter.prepare("b", null);
        Path base = writable(m0);
        Files.writeString(base.resolve("script"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(base.resolve("script"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(base.resolve("link"), Path.of("script"));
        Files.setLastModifiedTime(base.resolve("script"), FileTime.fromMillis(1_000_000_000_000L));
        snapshotter.commit("base", "b");
        List<Mount> m = snapshotter.prepare("k", "base");
        assertEquals("bind", m.get(0).type());
        Path copy = writable(m);
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy.resolve("script"))));
        assertEquals(Path.of("script"), Files.readSymbolicLink(copy.resolve("link")));
        assertEquals(FileTime.fromMillis(1_000_000_000_000L), Files.getLastModifiedTime(copy.resolve("script")));
        Files.writeString(copy.resolve("script"), "changed");
        assertEquals("#!/bin/sh\n", Files.readString(base.resolve("script")));
        assertEquals(List.of(), snapshotter.view("v", "base").stream().filter(x -> !x.readOnly()).toList());
    }

    @Test
    void changes_findDeletionsAndSameSizeRewritesByWalking() throws Exception {
        layer("base", null, "a/gone/file", "x", "same-size", "abc", "kept", "k");
        Path baseFile = Path.of(snapshotter.view("probe", "base").get(0).source(), "same-size");
        // A whole-second mtime makes the differ compare content, as continuity does for truncated timestamps.
        Files.setLastModifiedTime(baseFile, FileTime.fromMillis(1_700_000_000_000L));
        List<Mount> m = snapshotter.prepare("k", "base");
        Path w = writable(m);
        assertEquals(FileTime.fromMillis(1_700_000_000_000L), Files.getLastModifiedTime(w.resolve("same-size")));
        dev.wharf.layers.layout.FileTrees.delete(w.resolve("a/gone"));
        Files.writeString(w.resolve("same-size"), "xyz");
        Files.setLastModifiedTime(w.resolve("same-size"), FileTime.fromMillis(1_700_000_000_000L));
        Files.setLastModifiedTime(w.resolve("a"), Files.getLastModifiedTime(
                Path.of(snapshotter.view("probe2", "base").get(0).source(), "a")));
        List<Change> changes = snapshotter.changes("k");
        assertTrue(changes.contains(new Change(ChangeKind.DELETE, "/a/gone", Optional.empty())), changes.toString());
        assertFalse(changes.stream().anyMatch(c -> c.path().equals("/a/gone/file")), "one deletion per tree");
        assertTrue(changes.contains(new Change(ChangeKind.MODIFY, "/same-size", Optional.of(w.resolve("same-size")))),
                changes.toString());
        assertFalse(changes.stream().anyMatch(c -> c.path().equals("/kept")), changes.toString());
        assertTrue(Files.exists(w.resolve("kept"), LinkOption.NOFOLLOW_LINKS));
    }
}
