package dev.wharf.context.checksum;

import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ContextSnapshot.Kind;
import dev.wharf.context.checksum.ContextSnapshot.Resolved;
import dev.wharf.context.checksum.RecordDigester.Rec;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.glob.GoGlob;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.context.ignore.MatchInfo;
import dev.wharf.context.ignore.MatchResult;
import dev.wharf.context.ignore.PatternMatcher;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The checksum of a selector with wildcards or include/exclude patterns (checksum.go {@code includedPaths} and
 * the file-list hash of {@code Checksum}): the matching files and directory headers, each hashed with its path
 * relative to the selector's prefix. Directory contents are never taken whole here, because exclusions may sit
 * inside them. Not thread-safe: one instance per call.
 */
final class IncludedPaths {

    /** One included path (checksum.go includedPath). */
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

    private final RecordDigester digester;
    private final ContextSnapshot s;

    IncludedPaths(RecordDigester digester) {
        this.digester = digester;
        this.s = digester.snapshot();
    }

    /** checksum.go includedPaths and the file-list hash of Checksum. */
    Digest checksum(String argPath, Selector sel) throws ContextException, BadPatternException {
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
            k = s.firstKey();
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
                        k = s.higherKey(k);
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
                k = s.higherKey(k);
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
            k = s.higherKey(k);
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

    private Rec checksum(byte[] k, boolean followTrailing) throws ContextException {
        return digester.checksum(k, followTrailing);
    }

    private Digest lazyChecksum(String p, boolean followTrailing) throws ContextException {
        return digester.lazyChecksum(p, followTrailing);
    }

    private Resolved followLinks(byte[] k, boolean followTrailing) throws ContextException {
        return s.followLinks(k, followTrailing);
    }

    private static String keyPath(String p) {
        return ContextSnapshot.keyPath(p);
    }

    private static String goQuote(String s) {
        return RecordDigester.goQuote(s);
    }

    private static PatternMatcher matcher(List<String> patterns, String kind) throws ContextException {
        try {
            return PatternMatcher.of(patterns);
        } catch (ContextException e) {
            throw new ContextException("invalid " + kind + "patterns: " + patterns + ": " + e.getMessage(), e);
        }
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
}
