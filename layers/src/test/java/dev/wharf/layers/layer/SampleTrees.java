package dev.wharf.layers.layer;

import dev.wharf.layers.posix.DeviceNumbers;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** Builds directory trees with every kind of file a layer must keep (needs root for owners and devices). */
final class SampleTrees {
    /** A version 2 file capability (VFS_CAP_REVISION_2 | effective) with CAP_SETFCAP (bit 31) permitted. */
    static final byte[] CAPABILITY = HexFormat.of().parseHex("0100000200000080000000000000000000000000");

    private SampleTrees() {
    }

    /** Writes the rich sample tree into the empty directory {@code root}. */
    static void rich(Path root, PosixFiles posix) throws IOException {
        Path sub = Files.createDirectories(root.resolve("a/sub"));
        file(root.resolve("a/file.txt"), "hello\n", 0640, 1234, 1235, 1_600_000_000L);
        file(root.resolve("a/exec"), "#!/bin/sh\necho hi\n", 0755, 0, 0, 1_600_000_001L);
        posix.setXattr(root.resolve("a/exec"), "security.capability", CAPABILITY);
        posix.setXattr(root.resolve("a/exec"), "user.comment", "a binary\u00ff".getBytes(StandardCharsets.UTF_8));
        posix.setXattr(root.resolve("a/exec"), "trusted.note", new byte[] {0, 1, 2, (byte) 0xfe});
        Files.setAttribute(root.resolve("a/exec"), "unix:mode", 04755);
        file(root.resolve("a/hard1"), "shared inode", 0644, 7, 8, 1_500_000_000L);
        Files.createLink(root.resolve("a/sub/hard2"), root.resolve("a/hard1"));
        Files.createLink(root.resolve("hard0"), root.resolve("a/hard1"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("a/file.txt"));
        posix.lchown(root.resolve("link"), 55, 56);
        posix.setTimes(root.resolve("link"), 1_400_000_000L, 0);
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("/nonexistent/target"));
        posix.setTimes(root.resolve("dangling"), 1_400_000_001L, 0);
        posix.symlink("a//sub/", root.resolve("slashed"));
        posix.setTimes(root.resolve("slashed"), 1_400_000_002L, 0);
        posix.mknod(root.resolve("null"), PosixFiles.S_IFCHR | 0666, DeviceNumbers.makedev(1, 3));
        posix.mknod(root.resolve("loop"), PosixFiles.S_IFBLK | 0660, DeviceNumbers.makedev(7, 300));
        posix.mknod(root.resolve("pipe"), PosixFiles.S_IFIFO | 0620, 0);
        // mknod applies the umask; set the modes explicitly.
        Files.setAttribute(root.resolve("null"), "unix:mode", 0666);
        Files.setAttribute(root.resolve("loop"), "unix:mode", 0660);
        Files.setAttribute(root.resolve("pipe"), "unix:mode", 0620);
        posix.setTimes(root.resolve("pipe"), 1_300_000_000L, 0);
        Path deep = root.resolve("long-" + "x".repeat(90) + "/" + "y".repeat(120) + "/" + "z".repeat(60));
        Files.createDirectories(deep);
        file(deep.resolve("file-with-a-long-name-" + "q".repeat(100)), "deep", 0600, 3_000_000, 4_000_000,
                1_700_000_000L);
        file(root.resolve("h\u00e9llo-\u00fc.txt"), "unicode", 0644, 0, 0, 1_700_000_001L);
        Files.createSymbolicLink(root.resolve("long-link"), Path.of("target-" + "t".repeat(150)));
        // Every time is set explicitly, so two trees built a second apart are identical.
        posix.setTimes(root.resolve("long-link"), 1_100_000_000L, 0);
        posix.setTimes(root.resolve("null"), 1_100_000_001L, 0);
        posix.setTimes(root.resolve("loop"), 1_100_000_002L, 0);
        for (Path p = deep; !p.equals(root); p = p.getParent()) {
            posix.setTimes(p, 1_100_000_003L, 0);
        }
        Path sticky = Files.createDirectory(root.resolve("tmp"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        file(root.resolve("empty"), "", 0444, 0, 0, 1_000_000_000L);
        byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + i / 1000);
        }
        Files.write(root.resolve("a/sub/big.bin"), big);
        posix.setTimes(root.resolve("a/sub/big.bin"), 1_650_000_000L, 123_456_789);
        posix.lchown(sub, 1000, 1001);
        Files.setAttribute(root.resolve("a"), "unix:mode", 02750);
        // Directory times last: creating children changes them.
        posix.setTimes(sub, 1_200_000_000L, 0);
        posix.setTimes(root.resolve("a"), 1_200_000_001L, 0);
        posix.setTimes(sticky, 1_200_000_002L, 0);
    }

    static void file(Path path, String content, int mode, int uid, int gid, long mtime) throws IOException {
        Files.writeString(path, content);
        PosixFiles posix = PosixFiles.system();
        posix.lchown(path, uid, gid);
        Files.setAttribute(path, "unix:mode", mode);
        posix.setTimes(path, mtime, 0);
    }
}
