package dev.wharf.builder.exec;

import dev.wharf.builder.plan.Chmod;
import dev.wharf.builder.plan.Step;
import dev.wharf.builder.sandbox.ProcessUser;
import dev.wharf.builder.sandbox.UserResolver;
import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.RootView;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.context.source.CopyRequest;
import dev.wharf.context.sources.HttpDownloader;
import dev.wharf.context.source.DestinationView;
import dev.wharf.context.source.FileEntry;
import dev.wharf.context.walk.FileType;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.SourceContent;
import dev.wharf.grammar.instructions.SourcesAndDest;
import dev.wharf.grammar.parser.Word;
import dev.wharf.layers.Digest;
import dev.wharf.layers.layer.LayerApplier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Does COPY and ADD in a prepared snapshot: sources from the context (after {@code .dockerignore}), another stage or
 * an image ({@code --from}), or here-documents; {@code --chown} by number or by name in the destination's
 * {@code /etc/passwd}; octal and symbolic {@code --chmod}; local tar archives unpacked by ADD. Sources are resolved
 * before the cache lookup, because their checksum is part of the key.
 *
 * <p>Thread-safe.
 */
final class CopyRunner {
    /** A source with a wildcard anywhere (the whole string, as {@code String.matches} took it). */
    private static final Pattern WILDCARD = Pattern.compile(".*[*?\\[].*");

    /** A COPY/ADD with its sources resolved enough to know their checksum. */
    record PreparedCopy(List<Part> parts, List<SourceContent> heredocs, String destination, Optional<String> chown,
                        Optional<Chmod> chmod) {
        PreparedCopy {
            parts = List.copyOf(parts);
        }
    }

    /**
     * Sources of one origin: the local ones (context or {@code --from}), or one remote source of an ADD, fetched
     * when the step runs; {@code unpack} says whether a tar archive named as a source is unpacked.
     */
    record Part(Optional<CopySources> local, Optional<RemoteSource> remote, CopyRequest request, boolean unpack) {
        CopySources sources() throws Exception {
            return local.isPresent() ? local.get() : remote.orElseThrow().open();
        }
    }

    private final Workspace workspace;
    private final BuildSettings settings;
    private final StepRunner runner;

    CopyRunner(Workspace workspace, BuildSettings settings, StepRunner runner) {
        this.workspace = workspace;
        this.settings = settings;
        this.runner = runner;
    }

    /** Resolves a COPY/ADD's sources and puts their content checksum into {@code checksums}. */
    PreparedCopy prepareCopy(Step step, Map<Integer, BuildExecutor.State> stages, Map<String, Digest> checksums)
            throws Exception {
        SourcesAndDest files;
        Optional<Word> chown;
        Optional<Word> chmod;
        List<String> excludes;
        boolean parents = false;
        CopySources sources = settings.context();
        if (step.instruction() instanceof CopyInstruction copy) {
            files = copy.files();
            chown = copy.chown();
            chmod = copy.chmod();
            excludes = copy.excludes().stream().map(Word::text).toList();
            parents = copy.parents();
            if (copy.from().isPresent()) {
                sources = runner.sources(step.sources().isEmpty() ? null : step.sources().get(0), stages);
            }
        } else {
            AddInstruction add = (AddInstruction) step.instruction();
            files = add.files();
            chown = add.chown();
            chmod = add.chmod();
            excludes = add.excludes().stream().map(Word::text).toList();
        }
        String dest = StepRunner.absolute(files.dest().text(), step.environment().workingDir());
        List<Part> parts = new ArrayList<>();
        List<String> local = new ArrayList<>();
        if (step.instruction() instanceof AddInstruction add) {
            List<RemoteSource> remotes = remoteSources(add, files);
            for (int i = 0; i < remotes.size(); i++) {
                RemoteSource remote = remotes.get(i);
                CopyRequest request = new CopyRequest(List.of(remote.copySource()), dest, excludes, false);
                checksums.put("remote" + i, cacheKey(remote, request));
                parts.add(new Part(Optional.empty(), Optional.of(remote), request,
                        !remote.isGit() && add.unpack().orElse(false)));
            }
            for (Word src : files.sourcePaths()) {
                if (remotes.stream().noneMatch(r -> r.written().equals(src.text()))) {
                    local.add(src.text());
                }
            }
        } else {
            for (Word src : files.sourcePaths()) {
                Optional<String> refused = RemoteSource.refusedByCopy(src.text());
                if (refused.isPresent()) {
                    throw new BuildExecutor.StepFailure(refused.get(), null, null);
                }
                local.add(src.text());
            }
        }
        if (!local.isEmpty()) {
            CopyRequest request = new CopyRequest(local, dest, excludes, parents);
            // Only the checksum: the entries are resolved again, one at a time, as the copy writes them.
            checksums.put(sources.isContext() ? "context" : "from",
                    Digest.parse(sources.checksum(request).toString()));
            boolean unpack = step.instruction() instanceof AddInstruction add && add.unpack().orElse(true);
            parts.add(0, new Part(Optional.of(sources), Optional.empty(), request, unpack));
        }
        if (!files.sourceContents().isEmpty()) {
            StringBuilder all = new StringBuilder();
            for (SourceContent c : files.sourceContents()) {
                all.append(c.path()).append('\0').append(c.data()).append('\0');
            }
            checksums.put("heredoc", Digest.sha256Of(all.toString().getBytes(StandardCharsets.UTF_8)));
        }
        Optional<Chmod> mode = Optional.empty();
        if (chmod.isPresent() && !chmod.get().text().isEmpty()) {
            try {
                mode = Optional.of(Chmod.parse(chmod.get().text()));
            } catch (IllegalArgumentException e) {
                throw new BuildExecutor.StepFailure(e.getMessage(), null, e);
            }
        }
        return new PreparedCopy(parts, files.sourceContents(), dest,
                chown.map(Word::text).filter(s -> !s.isEmpty()), mode);
    }

    /**
     * A remote source's part of the step's cache key, failing as BuildKit's source op fails to load its cache key:
     * {@code failed to load cache key: } and Go's words, with no Dockerfile location (the frontend gives the HTTP and
     * git sources none), so buildx prints no source lines. A git remote over ssh needs the build's {@code --ssh
     * default} agent there (source/git: the session's ssh forward), whichever keys the host would offer.
     */
    private Digest cacheKey(RemoteSource remote, CopyRequest request) throws Exception {
        if (remote.isSshGit() && !settings.ssh().containsKey("default")) {
            throw BuildExecutor.StepFailure.unlocated("failed to load cache key: unset ssh forward key default", null);
        }
        try {
            return remote.key(request);
        } catch (HttpDownloader.Failure e) {
            throw BuildExecutor.StepFailure.unlocated("failed to load cache key: " + e.goReason(), e);
        }
    }

    /**
     * The URL and git sources of an ADD, checked as BuildKit's dispatchCopy checks them. As there, a git address's
     * {@code ?checksum=} and {@code ?keep-git-dir} become the ADD's settings for the sources after it
     * (dockerfile2llb/convert_copy.go assigns them to its {@code cfg} inside the loop over the sources): a later git
     * source keeps {@code .git} too and must match that checksum, and a later URL fails to parse it as a digest.
     */
    private List<RemoteSource> remoteSources(AddInstruction add, SourcesAndDest files) throws Exception {
        Optional<String> flag = add.checksum().map(Word::text).filter(c -> !c.isEmpty());
        // dockerfile2llb/convert_copy.go, in its order: the flag's checks before the sources.
        if (flag.isPresent() && files.sourcePaths().size() != 1) {
            throw new BuildExecutor.StepFailure("checksum can't be specified for multiple sources", null, null);
        }
        Optional<String> checksum = flag;
        Optional<Boolean> keepGitDir = add.keepGitDir();
        List<RemoteSource> out = new ArrayList<>();
        for (Word src : files.sourcePaths()) {
            Optional<RemoteSource> remote = RemoteSource.of(src.text(), checksum, keepGitDir, settings.scratch(),
                    workspace.http(), workspace.httpCache(), workspace.gitChecksums(), workspace.clock(),
                    settings.secrets());
            if (remote.isEmpty()) {
                continue;
            }
            if (remote.get().isGit()) {
                checksum = remote.get().checksum();
                keepGitDir = remote.get().keepGitDirSetting();
            } else if (checksum.isPresent()) {
                // convert_copy.go returns digest.Parse's error as it is: go-digest's words.
                Optional<String> malformed = dev.wharf.context.sources.DigestFormat.problem(checksum.get());
                if (malformed.isPresent()) {
                    throw new BuildExecutor.StepFailure(malformed.get(), null, null);
                }
                try {
                    Digest.parse(checksum.get());
                } catch (IllegalArgumentException e) {
                    throw new BuildExecutor.StepFailure("invalid checksum " + checksum.get() + ": "
                            + e.getMessage() + " (expected sha256:<64 hex digits>)", null, e);
                }
            }
            out.add(remote.get());
        }
        if (flag.isPresent() && out.isEmpty()) {
            throw new BuildExecutor.StepFailure("checksum requires HTTP(S) or Git sources", null, null);
        }
        return out;
    }

    /** Writes a prepared COPY/ADD into the active snapshot {@code mounts}. */
    void copy(boolean add, PreparedCopy copy, List<Mount> mounts) throws Exception {
        RootView view = RootView.of(mounts);
        Path upper = Path.of(mounts.get(0).writableDir().orElseThrow());
        Optional<ProcessUser> owner = copy.chown().isPresent()
                ? Optional.of(new UserResolver().resolveFileOwner(copy.chown().get(), view)) : Optional.empty();
        int ownerUid = owner.map(u -> (int) u.uid()).orElse(0);
        int ownerGid = owner.map(u -> (int) u.gid()).orElse(0);
        FileWriter writer = new FileWriter(upper, view, workspace.posix(), ownerUid, ownerGid, owner.isPresent(),
                settings.createdNanos(), copy.chmod().map(Chmod::createdDirectoryMode).orElse(0755));
        // Files are created and filled on other cores while this thread resolves the next entries, when no two
        // entries can land on one path: one source without wildcards (several sources, or a pattern matching in
        // several directories, may write the same name twice, and the last must win), and no archive to unpack.
        boolean parallel = copy.parts().size() == 1 && copy.parts().get(0).request().sources().size() == 1
                && !hasWildcard(copy.parts().get(0).request().sources().get(0))
                && !(add && copy.parts().get(0).unpack());
        try (ParallelCopies copies = new ParallelCopies(parallel ? workspace.copiers() : null)) {
            copyParts(add, copy, view, lowerView(mounts), upper, writer, owner, ownerUid, ownerGid, copies);
            copies.drain();
        }
        for (SourceContent content : copy.heredocs()) {
            String dest = copy.destination();
            String path = dest.endsWith("/") || copy.heredocs().size() + (copy.parts().isEmpty() ? 0 : 1) > 1
                    ? dest.replaceAll("/+$", "") + "/" + content.path() : view.canonical(dest);
            writer.writeFile(content.data().getBytes(StandardCharsets.UTF_8), writer.prepare(path),
                    new FileWriter.Attributes(ownerUid, ownerGid,
                            copy.chmod().map(c -> c.apply(0644, false)).orElse(0644), settings.createdNanos()));
        }
        writer.finish();
    }

    /** The layers under the snapshot's writable directory; empty when it is a full copy (one layer). */
    private static Optional<RootView> lowerView(List<Mount> mounts) {
        List<String> dirs = mounts.get(0).layerDirs();
        return dirs.size() < 2 ? Optional.empty()
                : Optional.of(RootView.ofLayers(dirs.subList(1, dirs.size()).stream().map(Path::of).toList()));
    }

    /** Writes the local and remote parts of {@code copy}, the file contents through {@code copies}. */
    private void copyParts(boolean add, PreparedCopy copy, RootView view, Optional<RootView> lowerView, Path upper,
                           FileWriter writer, Optional<ProcessUser> owner, int ownerUid, int ownerGid,
                           ParallelCopies copies) throws Exception {
        for (Part part : copy.parts()) {
            CopySources sources = part.sources();
            // Entries are written as they are resolved (none is kept: a million-file COPY . stays in a small heap);
            // only the targets of hard links to come are remembered.
            Map<String, Path> written = new HashMap<>();
            String root = GoPaths.clean(copy.destination());
            // fsutil's Copy resolves the destination as written with fs.RootPath, its last component too: COPY f
            // /bin/vi writes through the symlink /bin/vi into /bin/busybox. Paths below it are joined to that.
            String resolvedRoot = view.canonical(root);
            // With several sources (or a wildcard), a later one may write where an earlier one made a directory.
            ExistingTargets existing = new ExistingTargets(view, copy.parts().size() == 1
                    && part.request().sources().size() == 1 && !hasWildcard(part.request().sources().get(0)));
            sources.forEach(part.request(), path -> typeOf(view, path), e -> {
                String dest = below(root, resolvedRoot, e.destinationPath());
                boolean atRoot = GoPaths.clean(e.destinationPath()).equals(root);
                if (e.type() == FileType.DIRECTORY && atRoot) {
                    existing.check(e.type(), resolvedRoot, true);
                    // A source directory's own entry lands on the destination: its contents are copied, of its
                    // metadata only the modification time. A source's root has none (its snapshot's root record
                    // is synthetic); in BuildKit it is the directory the context was just synced into, the git
                    // checkout an ADD just made, or a stage's snapshot root, the overlay upper directory its last
                    // step made (layers leave "/" out), so: now. Only the root of an image whose layer records
                    // "./" keeps that entry's time there, which wharf's snapshots do not hold.
                    writer.copyRoot(resolvedRoot, e.stat().path().isEmpty()
                            ? settings.createdNanos() : e.stat().mtimeNanos());
                    return;
                }
                if (add && part.unpack() && e.type() == FileType.REGULAR && named(e, part.request().sources())
                        && Archives.isTar(sources.file(e.sourcePath()))) {
                    // ADD unpacks a local tar archive (compression recognised by content) into the destination
                    // directory, keeping the archive's modes, and its owners unless --chown says otherwise, as
                    // BuildKit does. --chmod changes nothing of it: file/unpack.go makes the destination and its
                    // parents with MkdirAll(dest, 0755) and untars without a mode, so nothing of the destination
                    // is prepared as for a copied file.
                    Path into = writer.mkdirAll(copy.destination(), 0755);
                    // Entries go through the lower layers' directories and symlinks, as in BuildKit's extraction
                    // into the mounted snapshot; the writable directory alone lacks them.
                    LayerApplier.Directories directories = new ArchiveDirectories(writer,
                            view.canonical(copy.destination()), upper, lowerView, workspace.posix());
                    Path source = sources.file(e.sourcePath());
                    if (owner.isPresent()) {
                        Archives.unpack(source, into, new LayerApplier(workspace.posix()), directories, ownerUid,
                                ownerGid, settings.scratch());
                    } else {
                        Archives.unpack(source, into, new LayerApplier(workspace.posix()), directories);
                    }
                    return;
                }
                existing.check(e.type(), atRoot ? resolvedRoot : dest, atRoot);
                Path target = writer.prepare(dest);
                String lexical = FileWriter.withoutTrailingSlashes(dest);
                if (lexical.isEmpty() || !target.equals(upper.resolve(lexical.substring(1)))) {
                    // A symlink in the destination redirected this entry: another one may land on the same path.
                    copies.inPlace();
                }
                int uid = owner.isPresent() ? ownerUid : sources.isContext() ? 0 : e.stat().uid();
                int gid = owner.isPresent() ? ownerGid : sources.isContext() ? 0 : e.stat().gid();
                int mode = copy.chmod().map(c -> c.apply(e.stat().permissions(),
                        e.type() == FileType.DIRECTORY)).orElse(e.stat().permissions());
                FileWriter.Attributes attrs = new FileWriter.Attributes(uid, gid, mode, e.stat().mtimeNanos());
                switch (e.type()) {
                    case DIRECTORY -> writer.directory(target, attrs);
                    case REGULAR -> {
                        Path source = sources.file(e.sourcePath());
                        if (e.hardlinkTo().isPresent() && written.containsKey(e.hardlinkTo().get())) {
                            copies.drain(); // the first link's file is written
                            writer.hardlink(written.get(e.hardlinkTo().get()), target);
                        } else {
                            copies.submit(() -> {
                                FileWriter.Copied copied = writer.copyFile(source, target, attrs);
                                SourceChanges.verify(source, copied, e.stat(), e.sourcePath(),
                                        sources.isContext());
                            });
                        }
                    }
                    case SYMLINK -> writer.symlink(e.stat().linkTarget(), target, attrs);
                    // Recreated (mknod), from a stage or image by fsutil's copier, and from the build context
                    // too: the client's file sync sends them and the receiver makes them (fsutil diskwriter.go,
                    // handleTarTypeBlockCharFifo).
                    case FIFO, CHAR_DEVICE, BLOCK_DEVICE ->
                            writer.special(target, e.stat().mode(), e.stat().rdev(), attrs);
                    // A socket arrives as an empty regular file with its permission bits: fsutil's stat clears
                    // os.ModeSocket (stat.go), as the context checksum does (TarsumHeader).
                    default -> writer.writeFile(new byte[0], target, attrs);
                }
                if (e.type() == FileType.REGULAR && e.stat().nlink() > 1) {
                    written.put(e.destinationPath(), target);
                }
            });
        }
    }

    /**
     * What fsutil's copier refuses at the paths a copy writes (tonistiigi/fsutil copy/copy.go): a source directory
     * onto an existing non-directory, a symlink too ({@code copyDirectoryOnly} lstats it: "cannot copy to
     * non-directory"), and below the destination a file onto an existing directory ({@code ensureEmptyFileTarget}:
     * "cannot replace to directory ... with file"). BuildKit prints the path in its mount; here the image's path.
     * Directories this copy made are remembered, so a copy of one source into a new tree looks nothing up below
     * them.
     */
    private static final class ExistingTargets {
        private final RootView view;
        private final boolean oneSource;
        private final Set<String> made = java.util.concurrent.ConcurrentHashMap.newKeySet();

        /** @param oneSource whether nothing but one source's tree is written, each path once */
        ExistingTargets(RootView view, boolean oneSource) {
            this.view = view;
            this.oneSource = oneSource;
        }

        void check(FileType type, String dest, boolean atRoot) throws IOException {
            int slash = dest.lastIndexOf('/');
            String parent = slash <= 0 ? "/" : dest.substring(0, slash);
            if (oneSource && !atRoot && made.contains(parent)) {
                if (type == FileType.DIRECTORY) {
                    made.add(dest);
                }
                return;
            }
            if (atRoot && type != FileType.DIRECTORY) {
                return; // a file source names its destination itself, through symlinks (fs.RootPath)
            }
            Optional<Path> host = view.entry(dest);
            boolean directory = host.isPresent() && Files.isDirectory(host.get(), LinkOption.NOFOLLOW_LINKS);
            if (type == FileType.DIRECTORY) {
                if (host.isPresent() && !directory) {
                    throw new IOException("cannot copy to non-directory: " + dest);
                }
                if (host.isEmpty()) {
                    made.add(dest);
                }
            } else if (directory) {
                throw new IOException("cannot replace to directory " + dest + " with file");
            }
        }
    }

    /** Whether a source as written has a wildcard ({@code * ? [}), escaped or not. */
    private static boolean hasWildcard(String source) {
        return WILDCARD.matcher(source).matches();
    }

    /**
     * True when the entry is a source itself, not a file inside a source directory: only those are unpacked. A
     * wildcard matches within one path component, so a match has as many components as its pattern.
     */
    private static boolean named(FileEntry entry, List<String> sources) {
        for (String source : sources) {
            String clean = source.replaceAll("^(\\./|/)+", "").replaceAll("/+$", "");
            if (entry.sourcePath().equals(clean) || (hasWildcard(clean)
                    && entry.sourcePath().split("/").length == clean.split("/").length)) {
                return true;
            }
        }
        return false;
    }

    /** {@code path}, which is {@code root} or below it, with {@code root} replaced by {@code resolvedRoot}. */
    private static String below(String root, String resolvedRoot, String path) {
        String p = GoPaths.clean(path);
        if (p.equals(root)) {
            return resolvedRoot;
        }
        String prefix = root.equals("/") ? "/" : root + "/";
        if (!p.startsWith(prefix)) {
            return path;
        }
        return (resolvedRoot.equals("/") ? "/" : resolvedRoot + "/") + p.substring(prefix.length());
    }

    private static Optional<FileType> typeOf(RootView view, String path) {
        try {
            Optional<Path> host = view.find(path);
            if (host.isEmpty()) {
                return Optional.empty();
            }
            int mode = (Integer) Files.getAttribute(host.get(), "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return Optional.of(FileType.fromMode(mode));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
