package dev.wharf.builder.exec;

import dev.wharf.builder.snapshot.RootView;
import dev.wharf.builder.snapshot.SnapshotException;
import dev.wharf.builder.snapshot.Snapshotter;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Gives a root filesystem unpacked from a build's layers the modification times BuildKit's {@code local} and
 * {@code tar} exporters give it. BuildKit exports from the live snapshot, not from the layer tarballs: a file a RUN or
 * COPY made keeps its nanoseconds in a directory, and its tar exporter (Go's {@code archive/tar} with no format set)
 * rounds them to the nearest second. The layers hold whole seconds, truncated; wharf's committed snapshot of the same
 * layer stack, when still in the store, holds what BuildKit's does, so its times are taken over for every path whose
 * second agrees (a snapshot swept since keeps the layers' times). With SOURCE_DATE_EPOCH both exporters date every
 * file at the epoch ({@code exporter/local}'s {@code epoch} option), not clamped as layers are.
 */
final class ExportTimes {
    private static final int HALF_SECOND = 500_000_000;

    private final Snapshotter snapshotter;
    private final List<Digest> diffIds;
    private final PosixFiles posix;
    private final OptionalLong epoch;

    ExportTimes(Snapshotter snapshotter, List<Digest> diffIds, PosixFiles posix, OptionalLong epoch) {
        this.snapshotter = snapshotter;
        this.diffIds = List.copyOf(diffIds);
        this.posix = posix;
        this.epoch = epoch;
    }

    /**
     * Sets the times of what the image put below {@code root} (not of {@code root}, which the exporter does not
     * write): nanoseconds kept for a directory export, rounded to the second when {@code wholeSeconds} (a tarball).
     * A directory export unpacks into a directory that may hold the user's own files (fsutil's receiver merges):
     * {@code inImage} says which paths ({@code a/b}) came from the image, and nothing else is touched or read.
     */
    void apply(Path root, boolean wholeSeconds, Predicate<String> inImage) throws IOException, LayerException {
        if (epoch.isPresent()) {
            walk(root, inImage, (path, relative) -> posix.setTimes(path, epoch.getAsLong(), 0));
            return;
        }
        Optional<String> top = snapshot();
        if (top.isEmpty()) {
            return;
        }
        String key = "export-" + UUID.randomUUID();
        try {
            RootView view = RootView.of(snapshotter.view(key, top.get()));
            walk(root, inImage, (path, relative) -> {
                Optional<Path> live = view.entry(relative);
                if (live.isEmpty()) {
                    return;
                }
                Instant exact = modified(live.get());
                if (exact.getNano() == 0 || exact.getEpochSecond() != modified(path).getEpochSecond()) {
                    return;
                }
                if (wholeSeconds) {
                    posix.setTimes(path, exact.getEpochSecond() + (exact.getNano() >= HALF_SECOND ? 1 : 0), 0);
                } else {
                    posix.setTimes(path, exact.getEpochSecond(), exact.getNano());
                }
            });
        } finally {
            snapshotter.remove(key);
        }
    }

    /** The committed snapshot of the whole layer stack, when the store still has it (never unpacked for this). */
    private Optional<String> snapshot() throws SnapshotException {
        if (diffIds.isEmpty()) {
            return Optional.empty();
        }
        List<Digest> chain = ChainIds.of(diffIds);
        String name = ChainIds.snapshotName(chain.get(chain.size() - 1));
        return snapshotter.stat(name).isPresent() ? Optional.of(name) : Optional.empty();
    }

    private static Instant modified(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .lastModifiedTime().toInstant();
    }

    /** What to do with one file: its path and its path in the image ({@code /a/b}). */
    @FunctionalInterface
    private interface Visit {
        void accept(Path path, String relative) throws IOException, LayerException;
    }

    private static void walk(Path root, Predicate<String> inImage, Visit visit) throws IOException, LayerException {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (dir.equals(root)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (!inImage.test(root.relativize(dir).toString())) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    visitOne(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (inImage.test(root.relativize(file).toString())) {
                        visitOne(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                private void visitOne(Path path) throws IOException {
                    try {
                        visit.accept(path, "/" + root.relativize(path));
                    } catch (LayerException e) {
                        throw new UncheckedIOException(new IOException(e.getMessage(), e));
                    }
                }
            });
        } catch (UncheckedIOException e) {
            if (e.getCause().getCause() instanceof LayerException le) {
                throw le;
            }
            throw e.getCause();
        }
    }
}
