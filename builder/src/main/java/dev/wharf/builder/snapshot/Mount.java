package dev.wharf.builder.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A description of one mount, in containerd's words ({@code core/mount/mount.go}: type, source, options); nothing is
 * mounted by creating one.
 *
 * <p>Snapshotters return these and the sandbox performs them inside its own mount namespace, so that a build killed
 * with {@code kill -9} leaves nothing mounted on the host. Immutable and thread-safe.
 *
 * @param type    {@code bind} or {@code overlay}
 * @param source  the host path for a bind mount; {@code overlay} for an overlay
 * @param options mount options such as {@code rbind}, {@code ro}, {@code lowerdir=a:b}, {@code upperdir=...}
 */
public record Mount(String type, String source, List<String> options) {
    /** The separator of lower directories in an overlay {@code lowerdir=} option. */
    public static final String LOWER_SEPARATOR = ":";

    public Mount {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        options = List.copyOf(options);
    }

    /** A recursive bind mount of {@code source}, read-only when {@code readOnly}. */
    public static Mount bind(String source, boolean readOnly) {
        return new Mount("bind", source, List.of(readOnly ? "ro" : "rw", "rbind"));
    }

    /** True for a read-only mount (a bind with {@code ro}, or an overlay without an upper directory). */
    public boolean readOnly() {
        if (type.equals("overlay")) {
            return option("upperdir").isEmpty();
        }
        return options.contains("ro");
    }

    /** The value of a {@code name=value} option, if present. */
    public Optional<String> option(String name) {
        String prefix = name + "=";
        for (String o : options) {
            if (o.startsWith(prefix)) {
                return Optional.of(o.substring(prefix.length()));
            }
        }
        return Optional.empty();
    }

    /** The overlay lower directories, nearest (topmost) first; empty for other mount types. */
    public List<String> lowerDirs() {
        return option("lowerdir").map(v -> List.of(v.split(LOWER_SEPARATOR))).orElse(List.of());
    }

    /**
     * The layers of this mount as host directories, topmost first: the upper directory (or bind source) and then
     * the lower directories. This is how a caller reads the merged view without mounting it.
     */
    public List<String> layerDirs() {
        List<String> dirs = new ArrayList<>();
        if (type.equals("overlay")) {
            option("upperdir").ifPresent(dirs::add);
            dirs.addAll(lowerDirs());
        } else {
            dirs.add(source);
        }
        return List.copyOf(dirs);
    }

    /** The directory that receives writes: the overlay's upper directory or a read-write bind's source. */
    public Optional<String> writableDir() {
        if (readOnly()) {
            return Optional.empty();
        }
        return type.equals("overlay") ? option("upperdir") : Optional.of(source);
    }
}
