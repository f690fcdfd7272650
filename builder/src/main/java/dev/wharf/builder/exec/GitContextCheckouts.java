package dev.wharf.builder.exec;

import dev.wharf.context.ContextException;
import dev.wharf.context.sources.GitContextSource;
import dev.wharf.context.sources.GitRemote;
import dev.wharf.context.sources.OpenedContext;
import dev.wharf.layers.Digest;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * The checkouts of git build contexts ({@code wharf build URL.git#ref:dir}), kept per commit under {@code
 * <store>/git-contexts/} as BuildKit keeps a git source's snapshot per commit: a build resolves the ref with {@code
 * git ls-remote} and reuses the checkout of that commit when an earlier build made one, cloning only a commit it has
 * not seen. So an unchanged rebuild asks the remote for its refs and nothing else, and a moved branch gives the new
 * commit's files.
 *
 * <p>An entry is a directory named by the hash of the remote and the git source's key ({@link
 * GitChecksums#sourceKey}: commit, subdirectory, submodules, mtime, .git kept), holding {@code tree/} (the checkout)
 * and {@code root} (the context's path inside it). It is made in a {@code tmp-} directory beside it, synced, and
 * renamed into place, so a crash leaves no half entry (only a temporary one, which {@code wharf prune} removes); two
 * builds of a new commit both clone, the first rename wins and the other build uses the winner's. A build reads an
 * entry in place and never writes it (bind mounts of the context are read-only or private copies); using one marks
 * it used for {@code wharf prune}, which removes entries by last use like cache records.
 *
 * <p>Thread-safe.
 */
final class GitContextCheckouts {
    private final Path dir;

    GitContextCheckouts(Path dir) {
        this.dir = dir;
    }

    /** The context {@code remote} names, from a stored checkout of its commit or cloned and stored. */
    OpenedContext open(GitRemote remote, boolean keepGitDir, Path workDir, java.util.Optional<String> authorization)
            throws ContextException {
        GitContextSource source = new GitContextSource(remote, workDir, keepGitDir, "git", authorization);
        GitContextSource.ResolvedRef pin = source.resolveRef();
        boolean keptGit = (keepGitDir || remote.keepGitDir().orElse(false)) && remote.subdir().isEmpty();
        String key = GitChecksums.sourceKey(remote, pin, keptGit) + "\0" + remote.remote()
                + "\0" + (keptGit ? ".git" : "");
        Path entry = dir.resolve(Digest.sha256Of(key.getBytes(StandardCharsets.UTF_8)).hex());
        // A checksum the commit does not match fails in the clone, with git source's words.
        boolean reusable = remote.checksum().isEmpty() || pin.matches(remote.checksum());
        if (reusable) {
            Path stored = stored(entry);
            if (stored != null) {
                return OpenedContext.borrowed(stored);
            }
        }
        Path temp;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempDirectory(dir, "tmp-");
        } catch (IOException e) {
            throw new ContextException("cannot create a git context checkout under " + dir + ": " + e.getMessage(), e);
        }
        try {
            OpenedContext cloned = new GitContextSource(remote, temp, keepGitDir, "git", authorization).open(pin);
            Path checkout = cloned.temporaryDirectory().orElseThrow().toRealPath();
            String relative = checkout.relativize(cloned.root().toRealPath()).toString();
            Files.move(checkout, temp.resolve("tree"), StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(temp.resolve("root"), relative + "\n", StandardCharsets.UTF_8);
            sync(temp);
            try {
                Files.move(temp, entry, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.fsyncDirectory(dir);
            } catch (FileSystemException another) {
                // Another build stored this commit first (rename(2) says ENOTEMPTY, which Java reports as a plain
                // FileSystemException): its checkout has the same files.
                if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    throw another;
                }
                FileTrees.delete(temp);
                Path stored = stored(entry);
                if (stored != null) {
                    return OpenedContext.borrowed(stored);
                }
                throw new ContextException("git context checkout " + entry + " vanished while it was stored");
            }
            return OpenedContext.borrowed(entry.resolve("tree").resolve(relative));
        } catch (IOException | UncheckedIOException e) {
            deleteQuietly(temp);
            throw new ContextException("cannot store the git context checkout of " + remote.remote() + " in " + dir
                    + ": " + e.getMessage(), e);
        } catch (ContextException | RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    /** The context root of a complete stored entry, marked used now, or null when there is none. */
    private static Path stored(Path entry) {
        try {
            String relative = Files.readString(entry.resolve("root"), StandardCharsets.UTF_8).strip();
            LastUse.mark(entry); // gone: pruned meanwhile, so clone
            Path root = entry.resolve("tree").resolve(relative);
            return Files.isDirectory(root) ? root : null;
        } catch (IOException e) {
            return null; // none yet, or pruned meanwhile: clone
        }
    }

    /** Flushes every file and directory of the new entry to disk before its rename publishes it. */
    private static void sync(Path tree) throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
                        c.force(true);
                    }
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    AtomicFiles.fsyncDirectory(p);
                }
            }
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            FileTrees.delete(temp);
        } catch (IOException e) {
            // A leftover tmp- directory, which wharf prune removes.
        }
    }
}
