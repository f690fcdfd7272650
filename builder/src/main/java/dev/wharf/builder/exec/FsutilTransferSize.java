package dev.wharf.builder.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * The byte count BuildKit shows for a local source's transfer ({@code #1 transferring dockerfile: 202B done},
 * {@code #5 transferring context: 38B done}): its file-sync receiver adds up the protobuf size of every packet it
 * receives (tonistiigi/fsutil receive.go, {@code size += p.Size()}), which are one STAT packet per sent path, one
 * DATA packet per 32 KiB read of a requested file plus an empty one ending it, the empty end-of-stats packet
 * (no bytes: every field is a default) and the 2-byte FIN. A file the receiver already has with the same stat (the
 * context of a rebuild) is not requested, so it costs its STAT packet only. The Stat's mode is Go's
 * {@code os.FileMode} (a directory has bit 31, a symlink bit 27; a regular file is its permission bits), its
 * modTime in nanoseconds, its size 0 for a directory (types/stat.proto, stat.go mkstat).
 *
 * <p>Wharf reads the files in place; this only counts what BuildKit would have moved, so that the progress line
 * reads the same. Stateless and thread-safe.
 */
final class FsutilTransferSize {
    /** fsutil's send.go copy buffer: a file's data goes in packets of at most this many bytes. */
    private static final int CHUNK = 32 * 1024;
    /** The FIN packet: its type field (3) alone. */
    private static final long FIN = 2;
    private static final long GO_MODE_DIR = 1L << 31;
    private static final long GO_MODE_SYMLINK = 1L << 27;
    private static final long GO_MODE_DEVICE = 1L << 26;
    private static final long GO_MODE_NAMED_PIPE = 1L << 25;
    private static final long GO_MODE_CHAR_DEVICE = 1L << 21;
    /** Go's os.ModeType: the bits that make a path no regular file. */
    private static final long GO_MODE_TYPE = GO_MODE_DIR | GO_MODE_SYMLINK | GO_MODE_NAMED_PIPE | GO_MODE_DEVICE
            | GO_MODE_CHAR_DEVICE | (1L << 24) | (1L << 19);
    private static final long GO_MODE_SETUID = 1L << 23;
    private static final long GO_MODE_SETGID = 1L << 22;
    private static final long GO_MODE_STICKY = 1L << 20;

    /** What fsutil's Stat carries of a path, as the sender sees it. */
    record FileStat(String path, long mode, long uid, long gid, long size, long modTimeNanos, String linkname) {
        boolean regular() {
            return (mode & GO_MODE_TYPE) == 0;
        }

        boolean directory() {
            return (mode & GO_MODE_DIR) != 0;
        }

        /** The Stat message's size: proto3 leaves out default (zero, empty) fields. */
        long messageSize() {
            return bytesField(path.getBytes(StandardCharsets.UTF_8).length) + varintField(mode) + varintField(uid)
                    + varintField(gid) + varintField(size) + varintField(modTimeNanos)
                    + bytesField(linkname.getBytes(StandardCharsets.UTF_8).length);
        }

        /**
         * What a rebuild compares, as fsutil's receiver decides from the stat whether to request a file again: a
         * 64-bit hash of the path and its stat (a collision would only skip a file's bytes in the shown count).
         */
        long fingerprint() {
            long h = path.hashCode() * 0x9E3779B97F4A7C15L + path.length();
            h = mix(h, mode);
            h = mix(h, uid);
            h = mix(h, gid);
            h = mix(h, size);
            h = mix(h, modTimeNanos);
            return mix(h, linkname.hashCode());
        }

        private static long mix(long h, long v) {
            h ^= v + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2);
            return h * 0xBF58476D1CE4E5B9L;
        }
    }

    private FsutilTransferSize() {
    }

    /** The stat of {@code file}, named {@code path} on the wire (slash-separated, relative to the sent root). */
    static FileStat stat(Path file, String path) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:mode,uid,gid,size,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        long nanos = Math.multiplyExact(mtime.to(java.util.concurrent.TimeUnit.SECONDS), 1_000_000_000L)
                + mtime.toInstant().getNano();
        int unix = (Integer) a.get("mode");
        String link = (unix & 0170000) == 0120000 ? Files.readSymbolicLink(file).toString() : "";
        return stat(path, unix, ((Number) a.get("uid")).longValue(), ((Number) a.get("gid")).longValue(),
                (Long) a.get("size"), nanos, link);
    }

    /** The Stat of a path from its {@code st_mode} and the rest of its lstat. */
    static FileStat stat(String path, int unix, long uid, long gid, long size, long modTimeNanos, String link) {
        long mode = unix & 0777;
        int type = unix & 0170000;
        boolean dir = type == 0040000;
        if (dir) {
            mode |= GO_MODE_DIR;
        } else if (type == 0120000) {
            mode |= GO_MODE_SYMLINK;
        } else if (type == 0010000) {
            mode |= GO_MODE_NAMED_PIPE;
        } else if (type == 0020000) {
            mode |= GO_MODE_DEVICE | GO_MODE_CHAR_DEVICE;
        } else if (type == 0060000) {
            mode |= GO_MODE_DEVICE;
        }
        // A socket's bit is cleared (stat.go: tar cannot hold one), so it is sent as a plain file would be.
        if ((unix & 04000) != 0) {
            mode |= GO_MODE_SETUID;
        }
        if ((unix & 02000) != 0) {
            mode |= GO_MODE_SETGID;
        }
        if ((unix & 01000) != 0) {
            mode |= GO_MODE_STICKY;
        }
        return new FileStat(path, mode, uid, gid, dir ? 0 : size, modTimeNanos, link);
    }

    /** The packets of one path: its STAT, and when {@code sendData}, its data and the empty DATA ending it. */
    static long of(FileStat stat, int id, boolean sendData) {
        long total = lengthDelimited(stat.messageSize()); // Packet{stat}: type 0 (STAT) is left out
        // A hard link's later name (its linkname set) is linked by the receiver, not requested.
        if (sendData && stat.regular() && stat.linkname().isEmpty()) {
            long left = stat.size();
            while (left > 0) {
                long chunk = Math.min(left, CHUNK);
                total += dataPacket(id, chunk);
                left -= chunk;
            }
            total += dataPacket(id, 0);
        }
        return total;
    }

    /**
     * What the sending side counts of one path (fsutil send.go {@code updateProgress}: the STAT packet's size and
     * each non-empty DATA packet's, not the empty DATA that ends a file, the last STAT or FIN), which BuildKit's
     * local exporter shows as the size of {@code copying files}: every file is requested, a hard link's later
     * names (their linkname set) excepted.
     */
    static long sent(FileStat stat, int id) {
        long total = of(stat, id, true);
        return stat.regular() && stat.linkname().isEmpty() ? total - dataPacket(id, 0) : total;
    }

    /**
     * The transfer of one file sent alone, named {@code name} (the Dockerfile, the .dockerignore), or of nothing
     * when it does not exist: 2 bytes, as BuildKit shows for a context without a .dockerignore.
     */
    static long singleFile(Path file, String name) {
        try {
            return of(stat(file, name), 0, true) + end();
        } catch (IOException e) {
            return end();
        }
    }

    /**
     * The transfer of a Dockerfile and, when {@code ignoreFile} is a regular file, its own {@code
     * NAME.dockerignore} beside it, as dockerui asks for both ({@code FollowPaths}) in one transfer: the
     * Dockerfile is ID 0 and the ignore file, which sorts after it, ID 1 (buildx 0.13.1: an empty
     * Dockerfile.dockerignore adds 44 bytes to {@code transferring dockerfile:}).
     */
    static long dockerfile(Path dockerfile, String name, Path ignoreFile) {
        long total = singleFile(dockerfile, name);
        if (Files.isRegularFile(ignoreFile, LinkOption.NOFOLLOW_LINKS)) {
            try {
                total += of(stat(ignoreFile, name + ".dockerignore"), 1, true);
            } catch (IOException e) {
                // Gone since it was seen: BuildKit would not have sent it either.
            }
        }
        return total;
    }

    /** The transfer's end: the empty last STAT (0 bytes) and FIN. */
    static long end() {
        return FIN;
    }

    private static long dataPacket(int id, long length) {
        // type 2 (DATA), the file's ID (its index in the walk, left out when 0), the data
        return 2 + varintField(id) + (length == 0 ? 0 : bytesField(length));
    }

    private static long lengthDelimited(long length) {
        return 1 + varintSize(length) + length;
    }

    private static long bytesField(long length) {
        return length == 0 ? 0 : lengthDelimited(length);
    }

    private static long varintField(long value) {
        return value == 0 ? 0 : 1 + varintSize(value);
    }

    static int varintSize(long value) {
        int n = 1;
        while ((value & ~0x7FL) != 0) {
            value >>>= 7;
            n++;
        }
        return n;
    }
}
