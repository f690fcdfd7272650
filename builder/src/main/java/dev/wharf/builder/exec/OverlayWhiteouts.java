package dev.wharf.builder.exec;

import dev.wharf.builder.snapshot.RootView;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a layer's whiteouts into an overlay upper directory in overlayfs's form: {@code .wh.NAME} becomes a 0:0
 * character device at {@code NAME}, {@code DIR/.wh..wh..opq} the {@code overlay.opaque=y} xattr on {@code DIR}
 * (in the {@code user.} namespace, which wharf's overlays use with {@code userxattr}, and in {@code trusted.}).
 * Parent directories missing from the upper directory are copied up from below with their attributes, so the
 * merged view's metadata does not change. Names with {@code ..} are ignored: the applier already refused them.
 *
 * <p>Not thread-safe: one instance per unpack.
 */
final class OverlayWhiteouts {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final byte[] YES = "y".getBytes(StandardCharsets.UTF_8);

    private final PosixFiles posix;
    private final RootView below;

    OverlayWhiteouts(PosixFiles posix, RootView below) {
        this.posix = posix;
        this.below = below;
    }

    void write(BlobProvider blobs, LayerBlob layer, Path upper) throws IOException, LayerException {
        try (InputStream in = Decompressors.open(blobs.open(layer.descriptor().digest()))) {
            TarReader tar = new TarReader(in);
            Optional<TarEntry> next;
            while ((next = tar.next()).isPresent()) {
                String name = clean(next.get().name());
                if (name == null) {
                    continue;
                }
                int slash = name.lastIndexOf('/');
                String dir = slash < 0 ? "" : name.substring(0, slash);
                String base = name.substring(slash + 1);
                if (base.equals(OPAQUE)) {
                    Path target = parent(upper, dir);
                    posix.setXattr(target, "user.overlay.opaque", YES);
                    try {
                        posix.setXattr(target, "trusted.overlay.opaque", YES);
                    } catch (LayerException ignored) {
                        // Only root may set trusted.*; the user. mark is the one wharf's overlays read.
                    }
                } else if (base.startsWith(WHITEOUT) && !base.startsWith(".wh..wh.")) {
                    Path target = parent(upper, dir).resolve(base.substring(WHITEOUT.length()));
                    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        posix.mknod(target, PosixFiles.S_IFCHR, 0);
                    }
                }
            }
        }
    }

    /** The directory {@code dir} in the upper directory, made like the one below if missing. */
    private Path parent(Path upper, String dir) throws IOException {
        Path current = upper;
        StringBuilder path = new StringBuilder();
        for (String part : dir.isEmpty() ? new String[0] : dir.split("/")) {
            path.append('/').append(part);
            current = current.resolve(part);
            if (Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Optional<Path> lower = below.find(path.toString());
            Files.createDirectory(current);
            if (lower.isPresent() && Files.isDirectory(lower.get())) {
                Map<String, Object> a = Files.readAttributes(lower.get(), "unix:mode,uid,gid,lastModifiedTime");
                Files.setAttribute(current, "unix:uid", a.get("uid"));
                Files.setAttribute(current, "unix:gid", a.get("gid"));
                Files.setAttribute(current, "unix:mode", ((Integer) a.get("mode")) & 07777);
                Files.setLastModifiedTime(current, (FileTime) a.get("lastModifiedTime"));
            }
        }
        return current;
    }

    /** The entry name without {@code ./} or {@code /} in front and a trailing {@code /}; null when it climbs. */
    private static String clean(String name) {
        String n = name;
        while (n.startsWith("./") || n.startsWith("/")) {
            n = n.startsWith("./") ? n.substring(2) : n.substring(1);
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        for (String part : n.split("/")) {
            if (part.equals("..")) {
                return null;
            }
        }
        return n.isEmpty() ? null : n;
    }
}
