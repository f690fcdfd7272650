package dev.wharf.builder.exec;

import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.compress.RatioLimit;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The size BuildKit's local exporter shows when it is done ({@code #N copying files 2.00MB done}): the fsutil
 * sender's count of what it sent of the result's root filesystem, a STAT packet per path in
 * {@code filepath.WalkDir} order (the root left out) and the data of every file, a hard link's later names sending
 * none but their stat, which names the first and keeps the file's size (see {@link FsutilTransferSize#sent}).
 *
 * <p>The sender's stats carry the image's owners, while the exported directory holds the files as the client's
 * (session/filesync hands every file to the user running the build), so the owners come from the layers: the last
 * entry of each path, a parent directory no layer has an entry for being root's, as the applier makes it. Xattrs
 * and device numbers are not counted. Not thread-safe: one export at a time.
 */
final class LocalExportSize {
    private final Map<String, long[]> owners = new HashMap<>();
    private final java.util.Set<String> parents = new java.util.HashSet<>();

    /** Notes the owners of {@code layer}'s entries, over those of the layers noted before it. */
    void layer(InputStream layer) throws IOException {
        try (InputStream in = Decompressors.open(layer, RatioLimit.DEFAULT)) {
            TarReader tar = new TarReader(in);
            Optional<TarEntry> next;
            while ((next = tar.next()).isPresent()) {
                TarEntry entry = next.get();
                String name = clean(entry.name());
                if (!name.isEmpty() && !name.substring(name.lastIndexOf('/') + 1).startsWith(".wh.")) {
                    owners.put(name, new long[] {entry.uid(), entry.gid()});
                }
            }
        }
    }

    /**
     * The count for the tree under {@code root}, the layers noted unpacked there. Files the directory held before
     * (the export merges into it) are not the result's: only the layers' paths and their parents are counted.
     */
    long of(Path root) throws IOException {
        noteParents();
        Counter counter = new Counter();
        counter.walk(root, "");
        return counter.total;
    }

    /**
     * Whether the layers noted put {@code path} ({@code a/b}) into the result: an entry of its own, or a directory
     * above one. The exported directory may hold the user's other files, which the export neither counts nor touches.
     */
    boolean inImage(String path) {
        noteParents();
        return owners.containsKey(path) || parents.contains(path);
    }

    private void noteParents() {
        if (!parents.isEmpty()) {
            return;
        }
        for (String path : owners.keySet()) {
            for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
                parents.add(path.substring(0, slash));
            }
        }
    }

    private static String clean(String name) {
        String n = name;
        while (n.startsWith("./") || n.startsWith("/")) {
            n = n.substring(n.startsWith("./") ? 2 : 1);
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n.equals(".") ? "" : n;
    }

    /** One walk's state: the next path's index (its file ID on the wire) and the first name of each inode. */
    private final class Counter {
        private final Map<Object, String> firstNames = new HashMap<>();
        private int id;
        private long total;

        private void walk(Path dir, String prefix) throws IOException {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                entries.forEach(children::add);
            }
            // os.ReadDir's order: names sorted by their bytes.
            children.sort((a, b) -> LayerWriter.walkOrder(bytes(a), bytes(b)));
            for (Path child : children) {
                String path = prefix + child.getFileName();
                if (!owners.containsKey(path) && !parents.contains(path)) {
                    continue;
                }
                FsutilTransferSize.FileStat stat = FsutilTransferSize.stat(child, path);
                long[] owner = owners.getOrDefault(path, new long[2]);
                String link = stat.linkname();
                if (stat.regular()) {
                    Map<String, Object> a = Files.readAttributes(child, "unix:ino,dev,nlink", LinkOption.NOFOLLOW_LINKS);
                    if (((Number) a.get("nlink")).intValue() > 1) {
                        // fsutil's mkstat: a later name of a seen inode is a link to its first. setUnixOpt zeroes its
                        // size, but mkstat sets the size after it, so the stat keeps the file's (the peer: 82 bytes
                        // for d/, d/f of 3 bytes and d/hard; 80 with the size left out).
                        String first = firstNames.putIfAbsent(List.of(a.get("dev"), a.get("ino")), path);
                        link = first == null ? link : first;
                    }
                }
                total += FsutilTransferSize.sent(new FsutilTransferSize.FileStat(path, stat.mode(), owner[0],
                        owner[1], stat.size(), stat.modTimeNanos(), link), id++);
                if (stat.directory()) {
                    walk(child, path + "/");
                }
            }
        }

        private static byte[] bytes(Path p) {
            return p.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
