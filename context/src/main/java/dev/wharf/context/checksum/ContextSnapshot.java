package dev.wharf.context.checksum;

import dev.wharf.context.ContextException;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.walk.ContextWalker;
import dev.wharf.context.walk.FileStat;
import dev.wharf.context.walk.FileType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The files of a build context after its ignore rules, as BuildKit's checksum tree sees them
 * (cache/contenthash/checksum.go): one record per path keyed by the path with {@code /} replaced by NUL, a
 * directory having a {@code DIR} record at its key and a {@code DIR_HEADER} record at key + NUL. Key order is byte
 * order, which puts a directory's subtree right after it. Immutable and thread-safe once scanned.
 */
public final class ContextSnapshot {

    /** BuildKit's CacheRecordType. */
    enum Kind { FILE, DIR, DIR_HEADER, SYMLINK }

    /** One record: what it is, and the lstat data and file behind it. */
    record Node(Kind kind, FileStat stat, Path file) {
    }

    /**
     * The root directory as BuildKit sees it: a fresh snapshot directory, 0755 and owned by root, because the
     * file sender never transfers the context root's own metadata (fsutil skips ".").
     */
    private static final int ROOT_MODE = 040755;

    private final Path root;
    private final NavigableMap<byte[], Node> records;

    private ContextSnapshot(Path root, NavigableMap<byte[], Node> records) {
        this.root = root;
        this.records = Collections.unmodifiableNavigableMap(records);
    }

    /**
     * Scans {@code root}, keeping what survives {@code excludes} (the .dockerignore rules).
     *
     * @throws ContextException when the context cannot be walked
     */
    public static ContextSnapshot scan(Path root, PatternMatcher excludes) throws ContextException {
        TreeMap<byte[], Node> records = new TreeMap<>(Arrays::compareUnsigned);
        FileStat rootStat = new FileStat("", ROOT_MODE, 0, 0, 0, 0, 0, 0, 0, 0, 2, "");
        records.put(new byte[0], new Node(Kind.DIR, rootStat, root));
        records.put(new byte[] {0}, new Node(Kind.DIR_HEADER, rootStat, root));
        PatternMatcher none;
        try {
            none = PatternMatcher.of(java.util.List.of());
        } catch (ContextException e) {
            throw new IllegalStateException(e);
        }
        new ContextWalker(none, excludes).walk(root, (file, stat) -> {
            byte[] k = key("/" + stat.path());
            FileType t = stat.type();
            if (t == FileType.DIRECTORY) {
                records.put(k, new Node(Kind.DIR, stat, file));
                records.put(withNul(k), new Node(Kind.DIR_HEADER, stat, file));
            } else {
                records.put(k, new Node(t == FileType.SYMLINK ? Kind.SYMLINK : Kind.FILE, stat, file));
            }
        });
        return new ContextSnapshot(root, records);
    }

    /** The context directory. */
    public Path root() {
        return root;
    }

    /** Number of records: one per path, two per directory (its DIR and DIR_HEADER), the root included. */
    public int size() {
        return records.size();
    }

    NavigableMap<byte[], Node> records() {
        return records;
    }

    Node get(byte[] key) {
        return records.get(key);
    }

    /** BuildKit's convertPathToKey: UTF-8 path bytes with '/' replaced by NUL ("/a/b" becomes "\0a\0b"). */
    static byte[] key(String path) {
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '/') {
                b[i] = 0;
            }
        }
        return b;
    }

    /** BuildKit's convertKeyToPath. */
    static String path(byte[] key) {
        byte[] b = key.clone();
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                b[i] = '/';
            }
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] withNul(byte[] k) {
        byte[] out = Arrays.copyOf(k, k.length + 1);
        out[k.length] = 0;
        return out;
    }
}
