package dev.wharf.context.walk;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixCallException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.posix.PosixStat;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code lstat} says about one context entry (never following a symlink), plus the symlink target. Paths are
 * slash-separated and relative to the context root. Immutable.
 *
 * @param path relative path, e.g. {@code dir/file}
 * @param mode full {@code st_mode}, type bits included
 * @param linkTarget the symlink's target as stored, empty for other types
 */
public record FileStat(String path, int mode, int uid, int gid, long size, long mtimeNanos, long ctimeNanos,
                       long inode, long device, long rdev, int nlink, String linkTarget) {

    private static final String ATTRS = "unix:mode,uid,gid,size,lastModifiedTime,ctime,ino,dev,rdev,nlink";

    // Written out rather than generated: a record's generated equals and hashCode go through method handles
    // (ObjectMethods), which a fresh process runs slowly for its first hundred thousand calls, and the checksum
    // keys its per-call maps by snapshot nodes, which hash their FileStat.
    @Override
    public boolean equals(Object o) {
        return o instanceof FileStat s && inode == s.inode && device == s.device && size == s.size
                && mtimeNanos == s.mtimeNanos && ctimeNanos == s.ctimeNanos && mode == s.mode && uid == s.uid
                && gid == s.gid && rdev == s.rdev && nlink == s.nlink && path.equals(s.path)
                && linkTarget.equals(s.linkTarget);
    }

    @Override
    public int hashCode() {
        // The inode and ctime tell apart what the file system holds; the path, the names of one inode (hard links).
        return (Long.hashCode(inode) * 31 + Long.hashCode(ctimeNanos)) * 31 + path.hashCode();
    }

    /** The entry's kind. */
    public FileType type() {
        return FileType.fromMode(mode);
    }

    /** Permission and setuid/setgid/sticky bits, without the type. */
    public int permissions() {
        return mode & 07777;
    }

    /**
     * Reads the attributes of {@code file} (relative name {@code path}) without following a final symlink: one
     * native {@code fstatat} through wharf-layers' libc binding where it knows the platform's {@code struct stat},
     * else java.nio's {@code unix:} attribute map (which builds a map, boxes and FileTimes per call: most of a
     * context scan's time). Errors are java.nio's exceptions either way.
     */
    public static FileStat read(Path file, String path) throws IOException {
        PosixFiles posix = NativeStat.POSIX;
        if (posix == null) {
            return readNio(file, path);
        }
        PosixStat st;
        try {
            st = posix.lstat(file);
        } catch (PosixCallException e) {
            throw switch (e.errno()) {
                case PosixCallException.ENOENT -> new NoSuchFileException(file.toString());
                case PosixCallException.EACCES -> new AccessDeniedException(file.toString());
                default -> new FileSystemException(file.toString(), null, e.getMessage());
            };
        } catch (LayerException e) {
            throw new IOException(e.getMessage(), e);
        }
        String target = "";
        if (FileType.fromMode(st.mode()) == FileType.SYMLINK) {
            target = Files.readSymbolicLink(file).toString();
        }
        return new FileStat(path, st.mode(), st.uid(), st.gid(), st.size(), st.mtimeNanos(), st.ctimeNanos(),
                st.inode(), st.device(), st.rdev(), st.nlink(), target);
    }

    /** {@link #read} through java.nio only. */
    static FileStat readNio(Path file, String path) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, ATTRS, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        String target = "";
        if (FileType.fromMode(mode) == FileType.SYMLINK) {
            target = Files.readSymbolicLink(file).toString();
        }
        return new FileStat(path, mode, (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("size"),
                nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")),
                (Long) a.get("ino"), (Long) a.get("dev"), (Long) a.get("rdev"), (Integer) a.get("nlink"), target);
    }

    /** The libc binding, loaded once; null when it cannot load or has no lstat for this platform. */
    private static final class NativeStat {
        static final PosixFiles POSIX = load();

        private static PosixFiles load() {
            try {
                PosixFiles posix = PosixFiles.system();
                posix.lstat(Path.of("/"));
                return posix;
            } catch (LayerException | LinkageError | UnsupportedOperationException e) {
                return null;
            }
        }
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }
}
