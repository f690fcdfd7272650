package dev.wharf.context.checksum;

import dev.wharf.context.ContextException;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.glob.GoPaths;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.List;

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

    private final ChecksumCache cache;
    private final boolean resetOwner;
    private final Clock clock;
    private final XattrReader xattrs;
    private final int parallelRecords;

    /**
     * @param cache file digests by inode, size and times
     * @param resetOwner hash uid and gid as 0, as BuildKit's client sends a local context
     * @param clock tells which files are too recently changed to cache
     */
    public ContextChecksummer(ChecksumCache cache, boolean resetOwner, Clock clock) {
        this(cache, resetOwner, clock, RecordDigester.PARALLEL_RECORDS);
    }

    /** With the snapshot size from which child directories are hashed in parallel: tests compare both ways. */
    ContextChecksummer(ChecksumCache cache, boolean resetOwner, Clock clock, int parallelRecords) {
        this(cache, resetOwner, clock, parallelRecords, XattrReader.system(cache));
    }

    /** With the reader of extended attributes: tests check when they are read. */
    ContextChecksummer(ChecksumCache cache, boolean resetOwner, Clock clock, int parallelRecords,
                       XattrReader xattrs) {
        this.parallelRecords = parallelRecords;
        this.cache = cache;
        this.resetOwner = resetOwner;
        this.clock = clock;
        this.xattrs = xattrs;
    }

    /**
     * BuildKit's {@code contenthash.Checksum} of one selector: the digest a COPY/ADD source contributes.
     *
     * @throws ContextException when the path does not exist ({@code "/x": not found}), a pattern is bad, a symlink
     *                          chain is too long or a file cannot be read
     */
    public Digest checksum(ContextSnapshot snapshot, Selector selector) throws ContextException {
        RecordDigester digester = new RecordDigester(snapshot, cache, resetOwner, clock, xattrs,
                parallelRecords);
        String p = GoPaths.clean("/" + selector.path()); // opsutils: path.Join("/", sel.Path)
        try {
            if (!selector.hasWildcardOrFilters()) {
                return digester.lazyChecksum(p, selector.followLinks());
            }
            return new IncludedPaths(digester).checksum(p, selector);
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
}
