package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.posix.PosixStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a {@link FileMetadata} with {@code lstat} semantics (symlinks are never followed): {@link PosixFiles#lstat}
 * (or Java's {@code unix:*} attributes where the binding lacks it) for the stat fields and {@link PosixFiles} for the
 * extended attributes.
 *
 * <p>Immutable and thread-safe.
 */
public final class FileMetadataReader {
    private final PosixFiles posix;

    /** Creates a reader that uses {@code posix} for xattrs. */
    public FileMetadataReader(PosixFiles posix) {
        this.posix = Objects.requireNonNull(posix, "posix");
    }

    /**
     * Reads the metadata of {@code path} itself.
     *
     * @throws LayerException if the file cannot be read
     */
    public FileMetadata read(Path path) throws LayerException {
        Stat st = stat(path);
        FileKind kind = FileKind.ofMode(st.mode);
        String target = "";
        if (kind == FileKind.SYMLINK) {
            try {
                target = Files.readSymbolicLink(path).toString();
            } catch (IOException e) {
                throw new LayerException("cannot read the symlink " + path + ": " + e.getMessage(), e);
            }
        }
        Map<String, byte[]> xattrs = Map.of();
        if (kind != FileKind.SOCKET) {
            List<String> names = posix.listXattrs(path);
            if (!names.isEmpty()) {
                Map<String, byte[]> values = new LinkedHashMap<>();
                for (String name : names) {
                    posix.getXattr(path, name).ifPresent(v -> values.put(name, v));
                }
                xattrs = values;
            }
        }
        return new FileMetadata(kind, st.mode, Integer.toUnsignedLong(st.uid), Integer.toUnsignedLong(st.gid),
                st.size, st.mtimeSeconds, st.mtimeNanos, target, st.rdev, st.dev, st.ino, st.nlink, xattrs);
    }

    /** The stat fields used here. */
    private record Stat(int mode, int uid, int gid, long size, long mtimeSeconds, int mtimeNanos, long rdev, long dev,
                        long ino, int nlink) {
    }

    /**
     * One native {@code lstat} when the binding has it (cheaper than java.nio's {@code unix:*} map, which a tree
     * scan pays per file), else java.nio.
     */
    private Stat stat(Path path) throws LayerException {
        try {
            PosixStat s = posix.lstat(path);
            return new Stat(s.mode(), s.uid(), s.gid(), s.size(), s.mtimeSeconds(), (int) s.mtimeNsec(), s.rdev(),
                    s.device(), s.inode(), s.nlink());
        } catch (UnsupportedOperationException e) {
            // a binding without lstat: java.nio below
        } catch (LayerException e) {
            throw new LayerException("cannot read the attributes of " + path + ": " + e.getMessage(), e);
        }
        Map<String, Object> a;
        try {
            a = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            throw new LayerException("cannot read the attributes of " + path + ": " + e.getMessage(), e);
        }
        Instant mtime = ((FileTime) a.get("lastModifiedTime")).toInstant();
        return new Stat((Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("size"),
                mtime.getEpochSecond(), mtime.getNano(), (Long) a.get("rdev"), (Long) a.get("dev"), (Long) a.get("ino"),
                (Integer) a.get("nlink"));
    }
}
