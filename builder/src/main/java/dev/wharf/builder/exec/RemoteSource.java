package dev.wharf.builder.exec;

import dev.wharf.context.ContextException;
import dev.wharf.context.sources.GitContextSource;
import dev.wharf.context.sources.GitRemote;
import dev.wharf.context.sources.HttpDownloader;
import dev.wharf.context.sources.OpenedContext;
import dev.wharf.context.source.CopyRequest;
import dev.wharf.layers.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One remote source of an {@code ADD}: an http(s) URL or a git repository, as BuildKit's Dockerfile frontend tells
 * them apart (dockerfile2llb/convert_copy.go: a git ref first, then an http(s) URL). Each is fetched into a
 * directory of its own under the build's scratch directory and copied from there like another stage's files.
 *
 * <ul>
 *   <li>A URL is downloaded as BuildKit's HTTP source does (source/http/source.go): one file named after the last
 *   element of the URL's path ({@code __unnamed__} without one), mode 0600, owned by root, its mtime the {@code
 *   Last-Modified} header or else 1970-01-01; not unpacked unless {@code --unpack=true}. Its cache key is the
 *   content's SHA-256 with the file name and Last-Modified ({@code formatCacheKey}), so it is downloaded at every
 *   build, revalidated with the ETag of the previous download when there was one ({@link HttpCache}); with
 *   {@code --checksum} the key is that checksum and the download happens only on a cache miss, where
 *   a different content fails with BuildKit's {@code digest mismatch} message.</li>
 *   <li>A git repository's ref is resolved to a commit on the remote at every build ({@code git ls-remote}, no
 *   clone; a name that is both a branch and a tag is the branch, as in BuildKit); its key is the content checksum of
 *   the files copied from that commit's checkout, found without a clone when the commit was checked out before
 *   ({@link GitChecksums}). The checkout is made with depth 1, at the commit resolved, and its files (without {@code
 *   .git} unless {@code --keep-git-dir}) are copied into the destination, as {@code llb.Git} with {@code
 *   CreateDestPath}.</li>
 * </ul>
 *
 * <p>Not thread-safe: used by one step.
 */
final class RemoteSource {
    private final String written;
    private final Optional<GitRemote> git;
    private final Optional<String> checksum;
    private final boolean keepGitDir;
    private final Optional<Boolean> keepGitDirSetting;
    private final Path scratch;
    private final HttpDownloader http;
    private final HttpCache cache;
    private final GitChecksums gitChecksums;
    private final Clock clock;
    private final Map<String, Path> secrets;
    private GitContextSource.ResolvedRef pin;
    private HttpCache.Entry notModified;
    private CopySources fetched;

    private RemoteSource(String written, Optional<GitRemote> git, Optional<String> checksum,
                         Optional<Boolean> keepGitDirSetting, Path scratch, HttpDownloader http, HttpCache cache,
                         GitChecksums gitChecksums, Clock clock, Map<String, Path> secrets) {
        this.written = written;
        this.git = git;
        this.checksum = checksum;
        this.keepGitDirSetting = keepGitDirSetting;
        this.keepGitDir = keepGitDirSetting.orElse(false);
        this.scratch = scratch;
        this.http = http;
        this.cache = cache;
        this.gitChecksums = gitChecksums;
        this.clock = clock;
        this.secrets = Map.copyOf(secrets);
    }

    /**
     * The remote source {@code source} names, or empty for a local path.
     *
     * @throws ContextException when the source is a git address but malformed
     */
    static Optional<RemoteSource> of(String source, Optional<String> checksum, Optional<Boolean> keepGitDir,
                                     Path scratch, HttpDownloader http, HttpCache cache,
                                     GitChecksums gitChecksums, Clock clock, Map<String, Path> secrets)
            throws ContextException {
        Optional<GitRemote> git = GitRemote.forAdd(source);
        if (git.isEmpty()) {
            return isHttp(source) ? Optional.of(new RemoteSource(source, git, checksum, keepGitDir,
                    scratch, http, cache, gitChecksums, clock, secrets)) : Optional.empty();
        }
        // dockerfile2llb/convert_copy.go: the address's keep-git-dir and checksum (query form) against the ADD's
        // flags; its mtime is not passed on for an ADD.
        GitRemote g = git.get();
        if (keepGitDir.isPresent() && g.keepGitDir().isPresent() && !keepGitDir.equals(g.keepGitDir())) {
            throw new ContextException("inconsistent keep-git-dir configuration");
        }
        if (checksum.isPresent() && !g.checksum().isEmpty() && !checksum.get().equals(g.checksum())) {
            throw new ContextException("checksum mismatch " + dev.wharf.grammar.go.GoQuote.quote(checksum.get())
                    + " != " + dev.wharf.grammar.go.GoQuote.quote(g.checksum()));
        }
        Optional<String> effective = g.checksum().isEmpty() ? checksum : Optional.of(g.checksum());
        GitRemote fetched = new GitRemote(g.remote(), g.ref(), g.subdir(), effective.orElse(""), Optional.empty(),
                g.submodules(), "", g.fetchByCommit());
        return Optional.of(new RemoteSource(source, Optional.of(fetched), effective,
                g.keepGitDir().or(() -> keepGitDir), scratch, http, cache, gitChecksums, clock, secrets));
    }

    /**
     * The checksum this source checks: the ADD's (or, for a git address, its own {@code ?checksum=}). BuildKit's
     * dispatchCopy stores a git address's options into the ADD's settings, so the next sources of the same ADD
     * inherit them: {@link CopyRunner} passes this and {@link #keepGitDirSetting()} on.
     */
    Optional<String> checksum() {
        return checksum;
    }

    /** The keep-git-dir setting after this source: the ADD's flag, or a git address's own {@code ?keep-git-dir}. */
    Optional<Boolean> keepGitDirSetting() {
        return keepGitDirSetting;
    }

    /** BuildKit's error when a COPY names a git address or an http(s) URL (convert_copy.go), else empty. */
    static Optional<String> refusedByCopy(String source) throws ContextException {
        if (GitRemote.forAdd(source).isPresent()) {
            return Optional.of("source can't be a git ref for COPY");
        }
        return isHttp(source) ? Optional.of("source can't be a URL for COPY") : Optional.empty();
    }

    private static boolean isHttp(String source) {
        return source.startsWith("http://") || source.startsWith("https://");
    }

    /** The source as written in the Dockerfile. */
    String written() {
        return written;
    }

    boolean isGit() {
        return git.isPresent();
    }

    /** Whether this is a git repository reached over ssh, which needs the build's {@code --ssh default} agent. */
    boolean isSshGit() {
        return git.isPresent() && git.get().isSsh();
    }

    /** The path to copy from the fetched directory: the downloaded file, or the whole checkout. */
    String copySource() {
        return git.isPresent() ? "." : HttpDownloader.fileName(written);
    }

    /**
     * What the step's cache key takes from this source; downloads a URL that has no {@code --checksum}; for a git
     * source, resolves the ref to its commit and takes the content checksum of the files {@code request} copies
     * from its checkout, remembered by commit ({@link GitChecksums}) so an unchanged commit is not cloned again.
     * As in BuildKit, where the copy's key is content-based besides the git source's commit key: a branch that moved
     * without changing what is copied is a cache hit, one that changed it is a miss with the new files.
     */
    Digest key(CopyRequest request) throws Exception {
        if (git.isPresent()) {
            pin = gitSource(scratch).resolveRef();
            if (checksum.isPresent() && !pin.matches(checksum.get())) {
                // source/git resolveMetadataFromURL: the checksum is a prefix of the commit or of an annotated tag
                // (case-sensitive: git prints lower-case hex, so an upper-case checksum never matches, as there);
                // "expected checksum to match %s, got %s".
                throw new BuildExecutor.StepFailure("expected checksum to match " + checksum.get() + ", got "
                        + pin.commit() + (pin.object().equals(pin.commit()) ? "" : " or " + pin.object()) + " for "
                        + written, null, null);
            }
            GitChecksums.Scope memo = new GitChecksums.Scope(gitChecksums, "add",
                    GitChecksums.sourceKey(git.get(), pin, keepGitDir));
            Optional<Digest> known = memo.lookup(request);
            if (known.isPresent()) {
                return known.get();
            }
            Digest content = Digest.parse(open().checksum(request).toString());
            memo.remember(request, content);
            return content;
        }
        String name = HttpDownloader.fileName(written);
        if (checksum.isPresent()) {
            return Digest.sha256Of(("http\0" + name + "\0" + checksum.get()).getBytes(StandardCharsets.UTF_8));
        }
        Optional<HttpCache.Entry> known = cache.lookup(written, name);
        Optional<HttpDownloader.Download> d = download(known.map(HttpCache.Entry::etag));
        Digest content = d.isPresent() ? d.get().digest() : known.orElseThrow().digest();
        Optional<Instant> lastModified = d.isPresent() ? d.get().lastModified() : known.orElseThrow().lastModified();
        if (d.isEmpty()) {
            notModified = known.get(); // 304: the content is the remembered blob, restored if the step runs
        }
        return Digest.sha256Of(("http\0" + name + "\0" + content + "\0"
                + lastModified.map(Instant::toString).orElse("")).getBytes(StandardCharsets.UTF_8));
    }

    /** A clone of the git source under {@code work}, with the credentials of the build's GIT_AUTH_* secrets. */
    private GitContextSource gitSource(Path work) {
        return new GitContextSource(git.orElseThrow(), work, keepGitDir, "git",
                GitAuthSecrets.authorization(git.get().remote(), secrets));
    }

    /** The fetched files, fetching them now if {@link #key} did not. */
    CopySources open() throws Exception {
        if (fetched != null) {
            return fetched;
        }
        if (git.isPresent()) {
            Path work = Files.createTempDirectory(scratch, "add-git-");
            GitContextSource source = gitSource(work);
            OpenedContext clone = pin == null ? source.open() : source.open(pin);
            // The clone lives under the build's scratch directory, deleted with it.
            fetched = CopySources.fetched(clone.root(), clock);
            return fetched;
        }
        if (notModified != null) {
            Path dir = Files.createTempDirectory(scratch, "add-url-");
            Path file = dir.resolve(HttpDownloader.fileName(written));
            cache.restore(notModified, file);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Files.setLastModifiedTime(file, FileTime.from(notModified.lastModified().orElse(Instant.EPOCH)));
            fetched = CopySources.stage(dir, clock);
            return fetched;
        }
        download(Optional.empty());
        return fetched;
    }

    /** Downloads (conditionally when an ETag is known); empty when the server says the content is unchanged. */
    private Optional<HttpDownloader.Download> download(Optional<String> etag) throws Exception {
        Path dir = Files.createTempDirectory(scratch, "add-url-");
        Path file = dir.resolve(HttpDownloader.fileName(written));
        Optional<HttpDownloader.Download> got = http.downloadIfNoneMatch(written, file, etag,
                HttpAuthSecrets.authorization(written, secrets));
        if (got.isEmpty()) {
            return got;
        }
        HttpDownloader.Download d = got.get();
        if (checksum.isPresent() && !d.digest().toString().equals(checksum.get())) {
            throw new BuildExecutor.StepFailure("digest mismatch for " + written + ": " + d.digest()
                    + " (expected: " + checksum.get() + ")", null, null);
        }
        cache.remember(written, file.getFileName().toString(), d);
        Files.setLastModifiedTime(file, FileTime.from(d.lastModified().orElse(Instant.EPOCH)));
        fetched = CopySources.stage(dir, clock);
        return got;
    }
}
