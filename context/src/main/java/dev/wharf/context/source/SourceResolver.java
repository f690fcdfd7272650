package dev.wharf.context.source;

import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ContextChecksummer;
import dev.wharf.context.checksum.ContextSnapshot;
import dev.wharf.context.checksum.Digest;
import dev.wharf.context.checksum.Selector;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.glob.GoGlob;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.context.walk.FileStat;
import dev.wharf.context.walk.FileType;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves the sources of a COPY/ADD against a local context snapshot the way BuildKit does: the Dockerfile front
 * end's source set-up (dockerfile2llb/convert_copy.go: links followed, wildcards allowed and allowed to match
 * nothing, directory contents copied, {@code --parents} as an include pattern), the cache key checksum
 * (opsutils.NewContentHashFunc) and the copier's placement rules (solver/llbsolver/file/backend.go docopy and
 * fsutil/copy). Sources never leave the context: {@code ../x} and {@code /x} name {@code x} at the context root and
 * symlinks are resolved inside it. Immutable and thread-safe.
 */
public final class SourceResolver {

    private final ContextSnapshot snapshot;
    private final ContextChecksummer checksummer;
    private final String refName;

    /**
     * @param refName how error messages name the context, e.g. "context"
     */
    public SourceResolver(ContextSnapshot snapshot, ContextChecksummer checksummer, String refName) {
        this.snapshot = snapshot;
        this.checksummer = checksummer;
        this.refName = refName;
    }

    /** Receives the entries of a COPY/ADD one at a time, in the order BuildKit's copier writes them. */
    @FunctionalInterface
    public interface EntrySink<E extends Exception> {
        void accept(FileEntry entry) throws E;
    }

    /**
     * The files {@code request} copies and their checksum, all in memory: for small sources. A COPY writes through
     * {@link #checksum} and {@link #forEach}, which hold no entry list.
     *
     * @throws ContextException when a source is missing ("failed to compute cache key: ... not found"), a pattern
     *                          is invalid, or the context cannot be read
     */
    public FileSet resolve(CopyRequest request, DestinationView destination) throws ContextException {
        Digest checksum = checksum(request);
        List<FileEntry> entries = new ArrayList<>();
        forEach(request, destination, entries::add);
        return new FileSet(entries, checksum);
    }

    /**
     * The content checksum of {@code request}'s sources, which goes into the step's cache key.
     *
     * @throws ContextException when a source is missing ("failed to compute cache key: ... not found"), a pattern
     *                          is invalid, or the context cannot be read
     */
    public Digest checksum(CopyRequest request) throws ContextException {
        List<Selector> selectors = selectors(request);
        try {
            return checksummer.contentHash(snapshot, selectors);
        } catch (ContextException e) {
            throw new ContextException("failed to compute cache key: failed to calculate checksum of ref "
                    + refName + ": " + e.getMessage(), e);
        }
    }

    /**
     * Hands each file {@code request} copies to {@code sink} as it is resolved, without keeping them: memory stays
     * bounded by the depth of the tree (and the hard-linked files), however many files a source holds.
     *
     * @throws ContextException when a source is missing, a pattern is invalid, or the context cannot be read
     */
    public <E extends Exception> void forEach(CopyRequest request, DestinationView destination, EntrySink<E> sink)
            throws ContextException, E {
        String destPath = cleanPath(request.destination());
        Placement placement = new Placement(destination, destPath);
        for (Selector sel : selectors(request)) {
            for (String match : resolveWildcards(cleanPath(sel.path()))) {
                new SourceCopier<E>(snapshot, sel, placement, sink).copy(match, destPath);
            }
        }
    }

    private static List<Selector> selectors(CopyRequest request) {
        List<Selector> selectors = new ArrayList<>();
        for (String src : request.sources()) {
            selectors.add(selector(src, request));
        }
        return selectors;
    }

    /** dockerfile2llb's source set-up for the local context, including {@code --parents}' pivot "/./". */
    private static Selector selector(String src, CopyRequest request) {
        String source = src;
        List<String> include = List.of();
        List<String> required = List.of();
        if (request.parents()) {
            int pivot = src.indexOf("/./");
            String pattern;
            if (pivot < 0) {
                pattern = src;
                source = "/";
            } else {
                pattern = src.substring(pivot + 3);
                source = src.substring(0, pivot);
            }
            pattern = GoPaths.clean("/" + pattern); // system.NormalizePath("/", pattern)
            include = List.of(pattern.substring(1));
            if (!Selector.containsWildcards(source) && !Selector.containsWildcards(pattern)) {
                required = List.of(GoPaths.clean("/" + source + "/" + pattern));
            }
        }
        source = GoPaths.clean("/" + source);
        return new Selector(source, Selector.containsWildcards(source), true, include, request.excludePatterns(),
                required);
    }

    /** backend.go cleanPath: path.Join("/", s), keeping a trailing "/" or "/." that the user wrote. */
    static String cleanPath(String s) {
        String joined = GoPaths.clean("/" + s);
        if (s.endsWith("/.")) {
            return (joined.equals("/") ? "/" : joined + "/") + ".";
        }
        if (s.endsWith("/") && !joined.equals("/")) {
            return joined + "/";
        }
        return joined;
    }

    /** fsutil copy.ResolveWildcards over the snapshot, links in the non-wildcard prefix followed. */
    private List<String> resolveWildcards(String src) throws ContextException {
        String[] split = splitWildcards(src);
        if (split[1].isEmpty()) {
            return List.of(split[0]);
        }
        String base = snapshot.resolve(split[0], true);
        if (snapshot.lstat(base).isEmpty()) {
            throw new ContextException("lstat " + split[0] + ": no such file or directory");
        }
        List<String> out = new ArrayList<>();
        walkMatches(base, "", split[1], out);
        return out;
    }

    /** filepath.Walk from {@code base} in lexical order; a matching directory is not entered. */
    private void walkMatches(String base, String rel, String pattern, List<String> out) throws ContextException {
        String dir = rel.isEmpty() ? base : join(base, rel);
        for (String name : snapshot.children(dir)) {
            String childRel = rel.isEmpty() ? name : rel + "/" + name;
            String abs = join(base, childRel);
            FileStat st = snapshot.lstat(abs).orElseThrow();
            boolean match;
            try {
                match = GoGlob.match(pattern, childRel);
            } catch (BadPatternException e) {
                match = false; // upstream: "if match, _ := filepath.Match(...)", errors are no match
            }
            if (match) {
                out.add(abs);
                continue; // SkipDir for a directory, and nothing below a file
            }
            if (st.type() == FileType.DIRECTORY) {
                walkMatches(base, childRel, pattern, out);
            }
        }
    }

    /** fsutil copy's splitWildcards (filepath.Join of the parts, so the prefix is cleaned). */
    private static String[] splitWildcards(String p) {
        List<String> parts = GoPaths.split(GoPaths.clean(p), '/');
        StringBuilder p1 = new StringBuilder();
        StringBuilder p2 = new StringBuilder();
        boolean found = false;
        for (String part : parts) {
            if (!found && Selector.containsWildcards(part)) {
                found = true;
            }
            String x = part.isEmpty() ? "/" : part;
            StringBuilder b = found ? p2 : p1;
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(x);
        }
        return new String[] {p1.length() == 0 ? "" : GoPaths.clean(p1.toString()),
            p2.length() == 0 ? "" : GoPaths.clean(p2.toString())};
    }

    private static String join(String a, String b) {
        return GoPaths.clean(a + "/" + b);
    }
}
