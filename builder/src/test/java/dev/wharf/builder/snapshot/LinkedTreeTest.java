package dev.wharf.builder.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.posix.PosixStat;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinkedTreeTest {
    @TempDir
    Path temp;

    @Test
    void mergedLayers_becomeLinksToTheLayersFiles_underDirectoriesWithTheirMetadata() throws Exception {
        HostRequirements.requireRoot();
        PosixFiles posix = PosixFiles.system();
        Path upper = Files.createDirectories(temp.resolve("upper"));
        Path lower = Files.createDirectories(temp.resolve("lower"));
        Files.createDirectories(lower.resolve("etc/old"));
        Files.writeString(lower.resolve("etc/passwd"), "lower");
        Files.writeString(lower.resolve("etc/group"), "lower group");
        Files.writeString(lower.resolve("etc/shadow"), "deleted above");
        Files.writeString(lower.resolve("etc/old/file"), "hidden by the opaque directory above");
        Files.createDirectories(upper.resolve("etc/old"));
        Files.writeString(upper.resolve("etc/passwd"), "upper");
        Files.writeString(upper.resolve("etc/old/new"), "new");
        Files.createLink(upper.resolve("etc/old/new-link"), upper.resolve("etc/old/new"));
        Files.createSymbolicLink(upper.resolve("etc/link"), Path.of("/nowhere"));
        posix.setXattr(upper.resolve("etc/old"), "user.overlay.opaque", new byte[] {'y'});
        posix.setXattr(upper.resolve("etc"), "user.kept", new byte[] {'1'});
        Process mknod = new ProcessBuilder("mknod", upper.resolve("etc/shadow").toString(), "c", "0", "0").start();
        assertTrue(mknod.waitFor(10, TimeUnit.SECONDS) && mknod.exitValue() == 0);
        try (ServerSocketChannel socket = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(upper.resolve("etc/socket")));
        }
        posix.chmod(upper.resolve("etc"), 0750);
        posix.lchown(upper.resolve("etc"), 5, 7);
        posix.setTimes(upper.resolve("etc"), 1_600_000_000L, 123_456_789);
        posix.chmod(upper, 0711);

        Path target = Files.createDirectories(temp.resolve("target"));
        new LinkedTree(posix).link(List.of(upper, lower), target);

        assertEquals(List.of("etc", "etc/group", "etc/link", "etc/old", "etc/old/new", "etc/old/new-link",
                "etc/passwd"), names(target));
        assertEquals("upper", Files.readString(target.resolve("etc/passwd")));
        assertEquals(inode(upper.resolve("etc/passwd")), inode(target.resolve("etc/passwd")));
        assertEquals(inode(lower.resolve("etc/group")), inode(target.resolve("etc/group")));
        assertEquals(inode(target.resolve("etc/old/new")), inode(target.resolve("etc/old/new-link")));
        assertEquals("/nowhere", Files.readSymbolicLink(target.resolve("etc/link")).toString());
        PosixStat etc = posix.lstat(target.resolve("etc"));
        assertEquals(List.of(040750, 5, 7, 1_600_000_000L, 123_456_789L),
                List.of(etc.mode(), etc.uid(), etc.gid(), etc.mtimeSeconds(), etc.mtimeNsec()));
        assertArrayEquals(new byte[] {'1'}, posix.getXattr(target.resolve("etc"), "user.kept").orElseThrow());
        assertFalse(posix.getXattr(target.resolve("etc/old"), "user.overlay.opaque").isPresent());
        assertEquals(040711, posix.lstat(target).mode());
    }

    private static List<String> names(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static Object inode(Path p) throws Exception {
        return Files.readAttributes(p, "unix:ino", LinkOption.NOFOLLOW_LINKS).get("ino");
    }
}
