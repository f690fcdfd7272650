package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a {@link FileMetadata} with {@code lstat} semantics (symlinks are never followed): Java's {@code unix:*}
 * attributes for the stat fields and {@link PosixFiles} for the extended attributes.
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
        Map<String, Object> a;
        try {
            a = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            throw new LayerException("cannot read the attributes of " + path + ": " + e.getMessage(), e);
        }
        int stMode = (Integer) a.get("mode");
        FileKind kind = FileKind.ofMode(stMode);
        Instant mtime = ((FileTime) a.get("lastModifiedTime")).toInstant();
        String target = "";
        if (kind == FileKind.SYMLINK) {
            try {
                target = Files.readSymbolicLink(path).toString();
            } catch (IOException e) {
                throw new LayerException("cannot read the symlink " + path + ": " + e.getMessage(), e);
            }
        }
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        if (kind != FileKind.SOCKET) {
            for (String name : posix.listXattrs(path)) {
                posix.getXattr(path, name).ifPresent(v -> xattrs.put(name, v));
            }
        }
        return new FileMetadata(kind, stMode, Integer.toUnsignedLong((Integer) a.get("uid")),
                Integer.toUnsignedLong((Integer) a.get("gid")), (Long) a.get("size"), mtime.getEpochSecond(),
                mtime.getNano(), target, (Long) a.get("rdev"), (Long) a.get("dev"), (Long) a.get("ino"),
                (Integer) a.get("nlink"), xattrs);
    }
}
