package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.tar.TarEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The whiteout entries of one apply (AUFS names, as the OCI image spec takes them): {@code .wh.<name>} removes
 * {@code <name>}; {@code <dir>/.wh..wh..opq} removes everything in {@code dir} that this layer has not written, so it
 * works in any entry order; other {@code .wh..wh.} names are ignored. Used by the applying thread alone.
 */
final class Whiteouts {
    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String WHITEOUT_META_PREFIX = ".wh..wh.";
    private static final String OPAQUE_MARKER = ".wh..wh..opq";

    /** How the apply removes a path, with the bookkeeping a removal needs. */
    @FunctionalInterface
    interface Removal {
        void delete(Path path) throws IOException;
    }

    private final ConfinedRoot root;
    private final WrittenPaths written;
    private final Removal removal;

    Whiteouts(ConfinedRoot root, WrittenPaths written, Removal removal) {
        this.root = root;
        this.written = written;
        this.removal = removal;
    }

    /** Whether an entry whose last component is {@code base} is a whiteout. */
    static boolean isWhiteout(String base) {
        return base.startsWith(WHITEOUT_PREFIX);
    }

    /**
     * Applies the whiteout {@code entry}, of clean components {@code parts} ending in {@code base}. It resolves,
     * lists and removes paths: the caller makes sure none is a file still pending.
     */
    void apply(TarEntry entry, List<String> parts, String base) throws IOException {
        if (base.equals(OPAQUE_MARKER)) {
            Path dir = root.resolveDirectory(parts.subList(0, parts.size() - 1), true, entry.name());
            written.add(dir);
            hideLowerContent(dir);
            return;
        }
        if (base.startsWith(WHITEOUT_META_PREFIX)) {
            // Other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs) carries nothing for an OCI layer.
            return;
        }
        String name = base.substring(WHITEOUT_PREFIX.length());
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new LayerException("layer entry " + entry.name() + " is an invalid whiteout");
        }
        Path parent = root.resolveParent(parts, false, entry.name());
        if (parent != null) {
            Path target = parent.resolve(name);
            if (Lstat.of(target).isPresent()) {
                removal.delete(target);
            }
        }
    }

    /**
     * Removes everything under {@code dir} that this layer has not written, keeping what it has (containerd's
     * {@code applyNaive} does the same walk), so the marker works wherever it comes in the layer.
     */
    private void hideLowerContent(Path dir) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.toList();
        }
        for (Path child : children) {
            if (!written.contains(child)) {
                removal.delete(child);
            } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                hideLowerContent(child);
            }
        }
    }
}
