package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.RootView;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mount points a run had to create in its writable layer, removed again afterwards so that they never reach a
 * layer: BuildKit's {@code executor/stubs.go} ({@code MountStubsCleaner}) in its recursive form. Before the run it
 * records, for {@code /etc/resolv.conf}, {@code /etc/hosts} and every extra mount destination, each missing path
 * component; after the run it removes those that are still an empty directory or an empty file, deepest first, and
 * puts back the parent directory's timestamps (moby/buildkit#3148). Works on the writable directory (the overlay
 * upper directory), since the root filesystem is mounted only inside the sandbox. Immutable.
 */
final class MountStubs {
    private final Path writable;
    private final List<String> stubs;

    private MountStubs(Path writable, List<String> stubs) {
        this.writable = writable;
        this.stubs = List.copyOf(stubs);
    }

    /** Records the missing components of {@code destinations} (absolute in-root paths) in {@code view}. */
    static MountStubs record(RootView view, Optional<Path> writable, List<String> destinations) throws IOException {
        List<String> stubs = new ArrayList<>();
        if (writable.isEmpty()) {
            return new MountStubs(null, stubs);
        }
        for (String dest : destinations) {
            String path = view.canonical(dest);
            while (!path.equals("/") && !view.exists(path)) {
                if (!stubs.contains(path)) {
                    stubs.add(path);
                }
                path = parent(path);
            }
        }
        return new MountStubs(writable.get(), stubs);
    }

    /** The recorded stubs, deepest of each destination first. */
    List<String> paths() {
        return stubs;
    }

    /** Removes the stubs that are still empty; failures are left for the differ to report. */
    void clean() {
        if (writable == null) {
            return;
        }
        for (String stub : stubs) {
            Path p = writable.resolve(stub.substring(1));
            try {
                BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (attrs.isDirectory() ? !isEmpty(p) : attrs.size() != 0) {
                    continue;
                }
                Path parent = p.getParent();
                BasicFileAttributes parentAttrs = Files.readAttributes(parent, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                Files.delete(p);
                Files.getFileAttributeView(parent, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(parentAttrs.lastModifiedTime(), parentAttrs.lastAccessTime(), null);
            } catch (IOException e) {
                // Not created (the run failed before mounting) or not ours to remove; nothing to undo.
            }
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
