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

    /**
     * One record: what it is, and the lstat data behind it; the file is resolved against the context root when
     * asked for (a Path per entry held for the snapshot's life cost more memory than the entry's stat data).
     */
    record Node(Kind kind, FileStat stat, Path root) {
        Path file() {
            return stat.path().isEmpty() ? root : root.resolve(stat.path());
        }
    }

    /**
     * The root directory as BuildKit sees it: a fresh snapshot directory, 0755 and owned by root, because the
     * file sender never transfers the context root's own metadata (fsutil skips ".").
     */
    private static final int ROOT_MODE = 040755;

    /** contenthash/path.go maxSymlinkLimit. */
    private static final int MAX_SYMLINKS = 255;

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
        FileStat rootStat = new FileStat("", ROOT_MODE, 0, 0, 0, 0, 0, 0, 0, 0, 2, "");
        SortedRecords sorted = new SortedRecords();
        sorted.add(new byte[0], new Node(Kind.DIR, rootStat, root));
        sorted.add(new byte[] {0}, new Node(Kind.DIR_HEADER, rootStat, root));
        PatternMatcher none;
        try {
            none = PatternMatcher.of(java.util.List.of());
        } catch (ContextException e) {
            throw new IllegalStateException(e);
        }
        new ContextWalker(none, excludes).walk(root, (ContextWalker.StatVisitor) stat -> {
            byte[] k = key("/" + stat.path());
            FileType t = stat.type();
            if (t == FileType.DIRECTORY) {
                sorted.add(k, new Node(Kind.DIR, stat, root));
                sorted.add(withNul(k), new Node(Kind.DIR_HEADER, stat, root));
            } else {
                sorted.add(k, new Node(t == FileType.SYMLINK ? Kind.SYMLINK : Kind.FILE, stat, root));
            }
        });
        return new ContextSnapshot(root, sorted.toTreeMap());
    }

    private static final java.util.Comparator<byte[]> KEY_ORDER = Arrays::compareUnsigned;

    /**
     * The records in the order the walk reports them, which is key order (a directory's NUL-separated subtree sorts
     * right after it, as the walk visits it): handed to {@link TreeMap}'s copy constructor, which builds its tree
     * from a sorted map in linear time without comparing keys, instead of a search per insert. Falls back to
     * inserting when the order is not strictly ascending. Only {@code comparator}, {@code size} and
     * {@code entrySet().iterator()} are used.
     */
    private static final class SortedRecords extends java.util.AbstractMap<byte[], Node>
            implements java.util.SortedMap<byte[], Node> {
        private final java.util.ArrayList<byte[]> keys = new java.util.ArrayList<>();
        private final java.util.ArrayList<Node> nodes = new java.util.ArrayList<>();
        private boolean ascending = true;

        void add(byte[] k, Node n) {
            if (ascending && !keys.isEmpty() && Arrays.compareUnsigned(keys.get(keys.size() - 1), k) >= 0) {
                ascending = false;
            }
            keys.add(k);
            nodes.add(n);
        }

        TreeMap<byte[], Node> toTreeMap() {
            if (ascending) {
                return new TreeMap<>(this);
            }
            TreeMap<byte[], Node> m = new TreeMap<>(KEY_ORDER);
            for (int i = 0; i < keys.size(); i++) {
                m.put(keys.get(i), nodes.get(i));
            }
            return m;
        }

        @Override
        public java.util.Comparator<? super byte[]> comparator() {
            return KEY_ORDER;
        }

        @Override
        public int size() {
            return keys.size();
        }

        @Override
        public java.util.Set<Entry<byte[], Node>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override
                public int size() {
                    return keys.size();
                }

                @Override
                public java.util.Iterator<Entry<byte[], Node>> iterator() {
                    return new java.util.Iterator<>() {
                        private int i;

                        @Override
                        public boolean hasNext() {
                            return i < keys.size();
                        }

                        @Override
                        public Entry<byte[], Node> next() {
                            if (i >= keys.size()) {
                                throw new java.util.NoSuchElementException();
                            }
                            Entry<byte[], Node> e = new java.util.AbstractMap.SimpleImmutableEntry<>(keys.get(i),
                                    nodes.get(i));
                            i++;
                            return e;
                        }
                    };
                }
            };
        }

        @Override
        public java.util.SortedMap<byte[], Node> subMap(byte[] from, byte[] to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.SortedMap<byte[], Node> headMap(byte[] to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.SortedMap<byte[], Node> tailMap(byte[] from) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] firstKey() {
            return keys.get(0);
        }

        @Override
        public byte[] lastKey() {
            return keys.get(keys.size() - 1);
        }
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

    /** The result of resolving a path inside the snapshot: the key reached and its record (null if missing). */
    record Resolved(byte[] key, Node node) {
    }

    /**
     * Resolves symlinks inside the snapshot like a chroot (contenthash getFollowLinksCallback, continuity's
     * fs.RootPath): absolute targets restart at the context root and ".." never climbs above it. Missing
     * components are kept lexically; the node is then null.
     *
     * @param followTrailing whether a symlink in the last component is followed too
     * @throws ContextException after more than 255 links
     */
    Resolved followLinks(byte[] k, boolean followTrailing) throws ContextException {
        Node v = records.get(k);
        if (v != null && (!followTrailing || v.kind() != Kind.SYMLINK)) {
            return new Resolved(k, v);
        }
        if (k.length == 0) {
            return new Resolved(k, null);
        }
        String current = "/";
        String remaining = path(k);
        boolean trailingSlash = remaining.endsWith("/");
        if (trailingSlash) {
            remaining = remaining.substring(0, remaining.length() - 1);
        }
        int links = 0;
        Node cr = null;
        while (!remaining.isEmpty()) {
            String part;
            int i = remaining.indexOf('/');
            if (i < 0) {
                part = remaining;
                remaining = "";
            } else {
                part = remaining.substring(0, i);
                remaining = remaining.substring(i + 1);
            }
            String nextPath = keyPath(current + "/" + part);
            cr = records.get(key(nextPath));
            if (cr == null || cr.kind() != Kind.SYMLINK) {
                current = nextPath;
                continue;
            }
            if (!followTrailing && remaining.isEmpty()) {
                current = nextPath;
                break;
            }
            if (++links > MAX_SYMLINKS) {
                throw new ContextException("too many links");
            }
            String target = cr.stat().linkTarget();
            remaining = target + "/" + remaining;
            if (target.startsWith("/")) {
                current = "/";
            }
        }
        if (trailingSlash) {
            current += "/";
            cr = records.get(key(current));
        }
        return new Resolved(key(current), cr);
    }

    /**
     * Resolves {@code path} (taken as relative to the context root whatever its form) inside the snapshot and
     * returns the resulting absolute path, e.g. {@code /real/dir/file}.
     */
    public String resolve(String path, boolean followTrailing) throws ContextException {
        String p = path(followLinks(key(keyPath(path)), followTrailing).key());
        return p.isEmpty() ? "/" : p;
    }

    /** What lstat says about an absolute snapshot path, without following a final symlink. */
    public java.util.Optional<FileStat> lstat(String absolutePath) {
        Node n = records.get(key(keyPath(absolutePath)));
        return n == null ? java.util.Optional.empty() : java.util.Optional.of(n.stat());
    }

    /** The file behind an absolute snapshot path, if it is in the snapshot. */
    public java.util.Optional<Path> file(String absolutePath) {
        Node n = records.get(key(keyPath(absolutePath)));
        return n == null ? java.util.Optional.empty() : java.util.Optional.of(n.file());
    }

    /** The names in a snapshot directory, in byte order (as os.ReadDir sorts them). */
    public java.util.List<String> children(String absoluteDir) {
        byte[] prefix = withNul(key(keyPath(absoluteDir)));
        java.util.List<String> out = new java.util.ArrayList<>();
        byte[] k = records.higherKey(prefix); // skips the directory's own header (the prefix itself)
        while (k != null && startsWith(k, prefix)) {
            out.add(new String(k, prefix.length, k.length - prefix.length, StandardCharsets.UTF_8));
            byte[] skip = Arrays.copyOf(k, k.length + 2);
            skip[k.length + 1] = (byte) 0xFF; // past this child's own subtree
            k = records.ceilingKey(skip);
        }
        return java.util.List.copyOf(out);
    }

    /** checksum.go keyPath: path.Join("/", p), with the root as "". */
    static String keyPath(String p) {
        String j = dev.wharf.context.glob.GoPaths.clean("/" + p);
        return j.equals("/") ? "" : j;
    }

    static boolean startsWith(byte[] a, byte[] prefix) {
        if (a.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
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
