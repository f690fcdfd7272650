package dev.wharf.layers.layer;

import dev.wharf.layers.Digest;
import dev.wharf.layers.posix.DeviceNumbers;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A comparable description of a directory tree for tests: for each path, its type, mode, owner, whole-second mtime,
 * content digest, link target, device numbers, xattrs (hex) and the other paths that share its inode.
 */
final class TreeSnapshot {
    private TreeSnapshot() {
    }

    /** Describes every path under {@code root} (not the root), keeping the xattrs {@code keepXattr} accepts. */
    static Map<String, String> of(Path root, PosixFiles posix, Predicate<String> keepXattr) throws IOException {
        FileMetadataReader reader = new FileMetadataReader(posix);
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.filter(p -> !p.equals(root)).toList();
        }
        Map<List<Long>, List<String>> inodes = new TreeMap<>((a, b) -> a.get(0).equals(b.get(0))
                ? Long.compare(a.get(1), b.get(1)) : Long.compare(a.get(0), b.get(0)));
        Map<String, FileMetadata> metas = new TreeMap<>();
        for (Path p : paths) {
            FileMetadata m = reader.read(p);
            String rel = root.relativize(p).toString();
            metas.put(rel, m);
            if (m.kind() != FileKind.DIRECTORY) {
                inodes.computeIfAbsent(List.of(m.device(), m.inode()), k -> new ArrayList<>()).add(rel);
            }
        }
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, FileMetadata> e : metas.entrySet()) {
            FileMetadata m = e.getValue();
            StringBuilder s = new StringBuilder();
            s.append(m.kind()).append(" mode=").append(Integer.toOctalString(m.mode()))
                    .append(" owner=").append(m.uid()).append(':').append(m.gid())
                    .append(" mtime=").append(m.mtimeSeconds());
            switch (m.kind()) {
                case REGULAR -> s.append(" size=").append(m.size()).append(" sha256=")
                        .append(digest(root.resolve(e.getKey())));
                case SYMLINK -> s.append(" -> ").append(m.linkTarget());
                case CHAR_DEVICE, BLOCK_DEVICE -> s.append(" dev=").append(DeviceNumbers.major(m.rdev())).append(',')
                        .append(DeviceNumbers.minor(m.rdev()));
                default -> {
                }
            }
            m.xattrs().forEach((k, v) -> {
                if (keepXattr.test(k)) {
                    s.append(" xattr:").append(k).append('=').append(HexFormat.of().formatHex(v));
                }
            });
            if (m.kind() != FileKind.DIRECTORY) {
                List<String> same = new ArrayList<>(inodes.get(List.of(m.device(), m.inode())));
                same.remove(e.getKey());
                if (!same.isEmpty()) {
                    s.append(" links=").append(same);
                }
            }
            out.put(e.getKey(), s.toString());
        }
        return out;
    }

    /** Describes the tree with every xattr except overlayfs's. */
    static Map<String, String> of(Path root, PosixFiles posix) throws IOException {
        return of(root, posix, k -> !k.startsWith("trusted.overlay.") && !k.startsWith("user.overlay."));
    }

    private static String digest(Path file) {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return Digest.sha256Of(in.readAllBytes()).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
