package dev.wharf.builder.exec;

import dev.wharf.context.walk.FileStat;
import dev.wharf.layers.posix.PosixStat;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Catches a source file that changed between the scan that keyed the step (its checksum) and the copy into the
 * layer: the copy must have the scanned size, and the source must still have the scanned size, modification time
 * and change time. Without this a file edited mid-build would put one content in the layer under the cache key of
 * another, and every later build would reuse the mix.
 */
final class SourceChanges {
    private SourceChanges() {
    }

    /**
     * Checks a copy made by {@link FileWriter#copyFile}: against the source's stat taken through the descriptor the
     * copy read (the file actually copied, found without a path lookup), or the path's where the binding had none.
     *
     * @throws BuildExecutor.StepFailure naming {@code name} if the source or its copy no longer matches
     *     {@code scanned}
     */
    static void verify(Path source, FileWriter.Copied copied, FileStat scanned, String name)
            throws IOException, BuildExecutor.StepFailure {
        verify(source, copied, scanned, name, true);
    }

    /**
     * @param ctime whether a changed change time counts: not for the files of a stage or image, hard links into
     *     snapshots nobody writes, whose change time moves whenever another tree links them (two stages with the
     *     same layer, which a step shared between them gives, each link it when copied from)
     */
    static void verify(Path source, FileWriter.Copied copied, FileStat scanned, String name, boolean ctime)
            throws IOException, BuildExecutor.StepFailure {
        if (copied.source().isEmpty()) {
            FileStat now = FileStat.read(source, scanned.path());
            check(copied.bytes(), scanned, now.size(), now.mtimeNanos(), ctime ? now.ctimeNanos()
                    : scanned.ctimeNanos(), name);
            return;
        }
        PosixStat read = copied.source().get();
        check(copied.bytes(), scanned, read.size(), read.mtimeNanos(), ctime ? read.ctimeNanos()
                : scanned.ctimeNanos(), name);
    }

    /**
     * @param copied the number of bytes the copy read from {@code source}
     * @throws BuildExecutor.StepFailure naming {@code name} if {@code source} or its copy no longer matches
     *     {@code scanned}
     */
    static void verify(Path source, long copied, FileStat scanned, String name)
            throws IOException, BuildExecutor.StepFailure {
        FileStat now = FileStat.read(source, scanned.path());
        check(copied, scanned, now.size(), now.mtimeNanos(), now.ctimeNanos(), name);
    }

    private static void check(long copied, FileStat scanned, long size, long mtimeNanos, long ctimeNanos,
                              String name) throws BuildExecutor.StepFailure {
        boolean changed = size != scanned.size() || copied != scanned.size()
                || mtimeNanos != scanned.mtimeNanos()
                || (scanned.ctimeNanos() != 0 && ctimeNanos != scanned.ctimeNanos());
        if (changed) {
            throw new BuildExecutor.StepFailure("file " + name + " changed while the build was reading it (size "
                    + scanned.size() + " -> " + size + "); the layer would not match its cache key, so the "
                    + "step stops: run the build again once the file stays still", null, null);
        }
    }
}
