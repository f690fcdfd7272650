package dev.wharf.context.source;

import dev.wharf.context.ContextException;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.context.walk.FileType;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the copies of one COPY/ADD have created so far, on top of the destination image: fsutil copy decides where a
 * file lands by stat'ing the destination, which earlier sources of the same instruction may have created. Mutable,
 * confined to one {@link SourceResolver#resolve} call.
 */
final class Placement {

    private final DestinationView image;
    private final Map<String, FileType> created = new HashMap<>();
    private final java.util.Set<String> asked = new java.util.HashSet<>();

    /**
     * @param destination the COPY's destination: the copier asks only about it and its parents (fsutil's Copy
     *     stats the destination and makes its parents), so only those are remembered, not every copied file
     */
    Placement(DestinationView image, String destination) {
        this.image = image;
        String p = GoPaths.clean(destination);
        asked.add(p);
        while (!p.equals("/")) {
            p = GoPaths.dir(p);
            asked.add(p);
        }
    }

    Optional<FileType> typeOf(String path) {
        FileType t = created.get(path);
        return t != null ? Optional.of(t) : image.typeOf(path);
    }

    void record(String path, FileType type) {
        if (asked.contains(path)) {
            created.put(path, type);
        }
    }

    /**
     * MkdirAll: the directory and its parents now exist. As fsutil's MkdirAll (copy/mkdir.go), which stats each
     * path following symlinks, an existing non-directory on the way fails the copy with ENOTDIR: COPY f /motd/ onto
     * the file /motd, which BuildKit reports as {@code mkdir /motd: not a directory} (the root trimmed, backend.go).
     */
    void mkdirAll(String path) throws ContextException {
        String p = GoPaths.clean(path);
        while (!p.equals("/")) {
            Optional<FileType> type = typeOf(p);
            if (type.isEmpty()) {
                created.put(p, FileType.DIRECTORY);
            } else if (type.get() != FileType.DIRECTORY) {
                throw new ContextException("mkdir " + p + ": not a directory");
            }
            p = GoPaths.dir(p);
        }
    }
}
