package dev.wharf.context.walk;

import java.io.IOException;
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

    /** The entry's kind. */
    public FileType type() {
        return FileType.fromMode(mode);
    }

    /** Permission and setuid/setgid/sticky bits, without the type. */
    public int permissions() {
        return mode & 07777;
    }

    /** Reads the attributes of {@code file} (relative name {@code path}) without following a final symlink. */
    public static FileStat read(Path file, String path) throws IOException {
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

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }
}
