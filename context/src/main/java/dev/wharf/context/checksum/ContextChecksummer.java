package dev.wharf.context.checksum;

import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ContextSnapshot.Kind;
import dev.wharf.context.checksum.ContextSnapshot.Node;
import dev.wharf.context.checksum.ContextSnapshot.Resolved;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.glob.GoGlob;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.context.ignore.MatchInfo;
import dev.wharf.context.ignore.MatchResult;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.walk.FileType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Content checksums of build-context paths with BuildKit's rules (cache/contenthash), the input of COPY and ADD
 * cache keys. A file's digest hashes its {@link TarsumHeader} and then its content; a directory's digest hashes its
 * own header digest and, in name order, each child's name and digest (a Merkle tree), so a directory's key covers
 * exactly the files that survived the ignore rules. Symlinks are hashed as links unless a selector follows them.
 *
 * <p>An instance owns its {@link ChecksumCache}; there is no global state. Thread-safe: each call keeps its own
 * working state, and the cache is concurrent.
 */
public final class ContextChecksummer {

    /**
     * Files changed this recently may change again within the file system's timestamp granularity without their
     * (mtime, ctime) moving, so their digests are not cached (git's "racy clean" problem).
     */
    private static final Duration RACY_WINDOW = Duration.ofSeconds(2);

    private final ChecksumCache cache;
    private final boolean resetOwner;
    private final Clock clock;
    private final XattrReader xattrs = new XattrReader();

    /**
     * @param cache file digests by inode, size and times
     * @param resetOwner hash uid and gid as 0, as BuildKit's client sends a local context
     * @param clock tells which files are too recently changed to cache
     */
    public ContextChecksummer(ChecksumCache cache, boolean resetOwner, Clock clock) {
        this.cache = cache;
        this.resetOwner = resetOwner;
        this.clock = clock;
    }

    /**
     * BuildKit's {@code contenthash.Checksum} of one selector: the digest a COPY/ADD source contributes.
     *
     * @throws ContextException when the path does not exist ({@code "/x": not found}), a pattern is bad, a symlink
     *                          chain is too long or a file cannot be read
     */
    public Digest checksum(ContextSnapshot snapshot, Selector selector) throws ContextException {
        Run run = new Run(snapshot);
        String p = GoPaths.clean("/" + selector.path()); // opsutils: path.Join("/", sel.Path)
        try {
            if (!selector.hasWildcardOrFilters()) {
                return run.lazyChecksum(p, selector.followLinks());
            }
            return run.filteredChecksum(p, selector);
        } catch (BadPatternException e) {
            throw new ContextException(e.getMessage(), e);
        }
    }

    /**
     * The content part of a COPY/ADD cache key (opsutils.NewContentHashFunc): each selector's checksum, joined
     * with NUL and hashed, even when there is only one.
     */
    public Digest contentHash(ContextSnapshot snapshot, List<Selector> selectors) throws ContextException {
        List<Selector> sels = selectors.isEmpty() ? List.of(new Selector("", false, false, List.of(), List.of()))
                : selectors;
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < sels.size(); i++) {
            if (i > 0) {
                joined.write(0);
            }
            joined.writeBytes(checksum(snapshot, sels.get(i)).wireBytes());
        }
        return Digest.of(joined.toByteArray());
    }

    /** One resolved tree record: its key after following links, the record, and its digest. */
    private record Rec(byte[] key, Node node, Digest digest) {
    }

    /** One included path of a filtered checksum (checksum.go includedPath). */
    private static final class Included {
        final String path;
        boolean followLinks;
        boolean included;
        Rec record;
        MatchInfo includeInfo = MatchInfo.NONE;
        MatchInfo excludeInfo = MatchInfo.NONE;

        Included(String path) {
            this.path = path;
        }
    }

    /** The working state of one checksum call: memoised record digests. */
    private final class Run {
        private final ContextSnapshot s;
        private final Map<String, Rec> memo = new HashMap<>();

        Run(ContextSnapshot s) {
            this.s = s;
        }

        Digest lazyChecksum(String p, boolean followTrailing) throws ContextException {
            return checksum(ContextSnapshot.key(keyPath(p)), followTrailing).digest();
        }

        /** checksum.go includedPaths and the file-list hash of Checksum. */
        Digest filteredChecksum(String argPath, Selector sel) throws ContextException, BadPatternException {
            String p = keyPath(argPath);
            PatternMatcher inc = sel.includePatterns().isEmpty() ? null : matcher(sel.includePatterns(), "include");
            PatternMatcher exc = sel.excludePatterns().isEmpty() ? null : matcher(sel.excludePatterns(), "exclude");
            String origPrefix;
            byte[] k;
            boolean keyOk;
            if (sel.wildcard()) {
                String[] split = splitWildcards(p);
                if (split[0].equals("/")) {
                    origPrefix = "";
                    k = null;
                    keyOk = false;
                } else {
                    Resolved r = followLinks(ContextSnapshot.key(split[0]), !split[1].isEmpty());
                    origPrefix = split[0];
                    k = r.key();
                    keyOk = r.node() != null;
                }
            } else {
                origPrefix = p;
                Resolved r = followLinks(ContextSnapshot.key(p), false);
                k = r.key();
                keyOk = r.node() != null;
            }
            // Upstream seeks its iterator past the prefix key but visits the prefix key itself first, so the
            // walk starts at k; each later key is the next one in byte order (iter.Next after SeekLowerBound).
            String resolvedPrefix = "";
            if (!origPrefix.isEmpty()) {
                resolvedPrefix = ContextSnapshot.path(k);
            } else {
                k = s.records().firstKey();
                keyOk = true;
            }
            List<Included> included = new ArrayList<>();
            List<Included> parents = new ArrayList<>();
            String lastMatchedDir = "";
            while (keyOk) {
                String fn = ContextSnapshot.path(k);
                if (fn.startsWith(resolvedPrefix)) {
                    fn = origPrefix + fn.substring(resolvedPrefix.length());
                }
                while (!parents.isEmpty() && !fn.startsWith(parents.get(parents.size() - 1).path + "/")) {
                    parents.remove(parents.size() - 1);
                }
                Included parent = parents.isEmpty() ? null : parents.get(parents.size() - 1);
                boolean dirHeader = k.length > 0 && k[k.length - 1] == 0;
                if (dirHeader) {
                    fn = fn.substring(0, fn.length() - 1);
                }
                Included maybe = new Included(fn);
                if (parent == null && sel.followLinks()) {
                    maybe.followLinks = true;
                }
                boolean shouldInclude;
                if (sel.wildcard()) {
                    if (!p.isEmpty() && (lastMatchedDir.isEmpty() || !fn.startsWith(lastMatchedDir + "/"))) {
                        if (!GoGlob.match(p, fn)) {
                            k = s.records().higherKey(k);
                            keyOk = k != null;
                            continue;
                        }
                        lastMatchedDir = fn;
                    }
                    shouldInclude = shouldInclude(relativeTo(fn, lastMatchedDir), inc, exc, maybe, parent);
                } else {
                    if (!(fn + "/").startsWith(p + "/")) {
                        break;
                    }
                    shouldInclude = shouldInclude(relativeTo(fn, p), inc, exc, maybe, parent);
                }
                if (!shouldInclude && !dirHeader) {
                    k = s.records().higherKey(k);
                    keyOk = k != null;
                    continue;
                }
                Rec cr = checksum(k, false);
                if (cr.node().kind() == Kind.DIR) {
                    // Only headers and files are hashed: a directory's contents may have exclusions in it.
                    shouldInclude = false;
                }
                maybe.record = cr;
                if (shouldInclude) {
                    for (Included pd : parents) {
                        if (!pd.included) {
                            included.add(pd);
                            pd.included = true;
                        }
                    }
                    included.add(maybe);
                    maybe.included = true;
                }
                if (cr.node().kind() == Kind.DIR_HEADER) {
                    parents.add(maybe);
                }
                k = s.records().higherKey(k);
                keyOk = k != null;
            }

            for (String required : sel.requiredPaths()) {
                boolean found = included.stream().anyMatch(w -> w.path.startsWith(required));
                if (!found) {
                    throw new ContextException(goQuote(required) + ": not found");
                }
            }
            List<Digest> digests = new ArrayList<>(included.size());
            for (Included w : included) {
                if (w.followLinks && w.record.node().kind() == Kind.SYMLINK) {
                    digests.add(lazyChecksum(w.path, sel.followLinks()));
                } else {
                    digests.add(w.record.digest());
                }
            }
            if (included.isEmpty()) {
                return Digest.of(new byte[0]);
            }
            if (included.size() == 1 && GoPaths.base(argPath).equals(GoPaths.base(included.get(0).path))) {
                return digests.get(0);
            }
            MessageDigest h = Digest.sha256();
            for (int i = 0; i < included.size(); i++) {
                String rel = included.get(i).path.startsWith(origPrefix)
                        ? included.get(i).path.substring(origPrefix.length()) : included.get(i).path;
                byte[] key = ContextSnapshot.key(rel);
                h.update(key.length == 0 ? new byte[] {0} : key);
                h.update(digests.get(i).wireBytes());
            }
            return Digest.ofHash(h.digest());
        }

        private boolean shouldInclude(String candidate, PatternMatcher inc, PatternMatcher exc, Included maybe,
                                      Included parent) throws ContextException {
            try {
                if (inc != null) {
                    MatchResult r = inc.matchesUsingParentResults(candidate,
                            parent == null ? MatchInfo.NONE : parent.includeInfo);
                    maybe.includeInfo = r.info();
                    if (!r.matched()) {
                        return false;
                    }
                }
                if (exc != null) {
                    MatchResult r = exc.matchesUsingParentResults(candidate,
                            parent == null ? MatchInfo.NONE : parent.excludeInfo);
                    maybe.excludeInfo = r.info();
                    if (r.matched()) {
                        return false;
                    }
                }
            } catch (BadPatternException e) {
                throw new ContextException("failed to match " + (inc != null ? "includepatterns" : "excludepatterns")
                        + ": " + e.getMessage(), e);
            }
            return true;
        }

        /** checksum.go checksum: the record at {@code k} (links resolved) with its digest, memoised. */
        Rec checksum(byte[] k, boolean followTrailing) throws ContextException {
            Resolved r = followLinks(k, followTrailing);
            if (r.node() == null) {
                throw new ContextException(goQuote(ContextSnapshot.path(k)) + ": not found");
            }
            String memoKey = new String(r.key(), StandardCharsets.ISO_8859_1);
            Rec done = memo.get(memoKey);
            if (done != null) {
                return done;
            }
            Digest d = r.node().kind() == Kind.DIR ? directoryDigest(r.key()) : recordDigest(r.node());
            Rec rec = new Rec(r.key(), r.node(), d);
            memo.put(memoKey, rec);
            return rec;
        }

        /** NUL + header digest, then NUL + name + digest for each child in byte order; subtrees skipped. */
        private Digest directoryDigest(byte[] k) throws ContextException {
            MessageDigest h = Digest.sha256();
            byte[] next = ContextSnapshot.withNul(k);
            byte[] subk = next;
            while (subk != null && startsWith(subk, next)) {
                h.update(subk, k.length, subk.length - k.length);
                Rec sub = checksum(subk, false);
                h.update(sub.digest().wireBytes());
                if (sub.node().kind() == Kind.DIR) {
                    byte[] skip = java.util.Arrays.copyOf(subk, subk.length + 2);
                    skip[subk.length + 1] = (byte) 0xFF;
                    subk = s.records().ceilingKey(skip);
                } else {
                    subk = s.records().higherKey(subk);
                }
            }
            return Digest.ofHash(h.digest());
        }

        /** filehash.go NewFileHash plus prepareDigest: header, then content for non-empty regular files. */
        private Digest recordDigest(Node node) throws ContextException {
            boolean isRoot = node.stat().path().isEmpty();
            FileType type = node.stat().type();
            boolean content = type == FileType.REGULAR && node.stat().size() > 0;
            FileKey fileKey = type == FileType.REGULAR ? FileKey.of(node.stat(), resetOwner) : null;
            if (fileKey != null) {
                var hit = cache.get(fileKey);
                if (hit.isPresent()) {
                    return hit.get();
                }
            }
            Map<String, byte[]> attrs = isRoot ? Map.of() : xattrs.read(node.file(), type);
            MessageDigest h = Digest.sha256();
            h.update(TarsumHeader.of(node.stat(), attrs, resetOwner));
            long read = 0;
            if (content) {
                try (InputStream in = Files.newInputStream(node.file())) {
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        h.update(buf, 0, n);
                        read += n;
                    }
                } catch (AccessDeniedException e) {
                    throw new ContextException("failed to open /" + node.stat().path() + ": permission denied", e);
                } catch (IOException e) {
                    throw new ContextException("failed to copy file data for /" + node.stat().path() + ": "
                            + e.getMessage(), e);
                }
            }
            Digest d = Digest.ofHash(h.digest());
            if (fileKey != null && read == node.stat().size() && !racy(node)) {
                cache.put(fileKey, d);
            }
            return d;
        }

        private boolean racy(Node node) {
            long now = clock.millis() * 1_000_000L;
            long newest = Math.max(node.stat().mtimeNanos(), node.stat().ctimeNanos());
            return now - newest < RACY_WINDOW.toNanos();
        }

        Resolved followLinks(byte[] k, boolean followTrailing) throws ContextException {
            return s.followLinks(k, followTrailing);
        }
    }


    private static PatternMatcher matcher(List<String> patterns, String kind) throws ContextException {
        try {
            return PatternMatcher.of(patterns);
        } catch (ContextException e) {
            throw new ContextException("invalid " + kind + "patterns: " + patterns + ": " + e.getMessage(), e);
        }
    }

    static String keyPath(String p) {
        return ContextSnapshot.keyPath(p);
    }

    /** strings.TrimSuffix(strings.TrimPrefix(fn+"/", prefix+"/"), "/"). */
    private static String relativeTo(String fn, String prefix) {
        String s = fn + "/";
        String pre = prefix + "/";
        if (s.startsWith(pre)) {
            s = s.substring(pre.length());
        }
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** checksum.go splitWildcards: the components before the first one with a wildcard, and the rest. */
    static String[] splitWildcards(String p) {
        List<String> parts = GoPaths.split(GoPaths.clean(p.isEmpty() ? "." : p), '/');
        List<String> p1 = new ArrayList<>();
        List<String> p2 = new ArrayList<>();
        boolean found = false;
        for (String part : parts) {
            if (!found && Selector.containsWildcards(part)) {
                found = true;
            }
            String x = part.isEmpty() ? "/" : part;
            (found ? p2 : p1).add(x);
        }
        return new String[] {join(p1), join(p2)};
    }

    /** Go's path.Join: joins non-empty elements with '/' and cleans; "" when all are empty. */
    private static String join(List<String> elems) {
        StringBuilder b = new StringBuilder();
        for (String e : elems) {
            if (e.isEmpty()) {
                continue;
            }
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(e);
        }
        return b.length() == 0 ? "" : GoPaths.clean(b.toString());
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return ContextSnapshot.startsWith(a, prefix);
    }

    /** Go's %q for the common case: quotes, escapes quote, backslash and control characters. */
    static String goQuote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
