package dev.wharf.builder.exec;

import dev.wharf.builder.plan.MountIds;
import dev.wharf.builder.plan.Step;
import dev.wharf.builder.plan.StepSource;
import dev.wharf.builder.sandbox.SandboxMount;
import dev.wharf.builder.sandbox.SshAgentProxy;
import dev.wharf.builder.sandbox.UserNamespaces;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.context.source.CopyRequest;
import dev.wharf.context.source.DestinationView;
import dev.wharf.grammar.instructions.Mount;
import dev.wharf.grammar.instructions.MountType;
import dev.wharf.grammar.instructions.SharingMode;
import dev.wharf.layers.Digest;
import dev.wharf.layers.layout.FileTrees;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The extra mounts of a {@code RUN --mount} step (dockerfile2llb/convert_runmount.go), as sandbox mounts:
 * <ul>
 *   <li>{@code type=cache}: a directory under the store's {@code cache-mounts/}, by {@code id} (default: the
 *       target) and start state ({@code uid}/{@code gid}/{@code mode} without a source, or the whole {@code from}
 *       state), of which {@code source} picks a path; kept between builds and shared by them as {@code sharing}
 *       says; never part of a layer;</li>
 *   <li>{@code type=tmpfs}: a tmpfs, {@code size} honoured;</li>
 *   <li>{@code type=bind}: a path of the context or of another stage ({@code from}), read-only by default; with
 *       {@code rw} a private copy whose writes are discarded, as BuildKit does. Its content checksum goes into the
 *       step's cache key;</li>
 *   <li>{@code type=secret}: the file given with {@code --secret id=ID,src=FILE}, bind-mounted read-only at the
 *       target (default {@code /run/secrets/} and the id's base name; the id is {@code id=} or {@code source=},
 *       else the target's base name) and/or put into the
 *       variable {@code env=}; never in a layer or the cache key. A secret nobody provided is left out, or fails the
 *       step when {@code required};</li>
 *   <li>{@code type=ssh}: the ssh-agent socket given with {@code --ssh ID=SOCKET} (id {@code default} when absent)
 *       through an {@link SshAgentProxy} owned by {@code uid}/{@code gid} with {@code mode} (0600), at the target
 *       or {@code /run/buildkit/ssh_agent.N} (N counting the step's ssh mounts), and {@code SSH_AUTH_SOCK} set to
 *       the first one unless the step's environment has it (BuildKit's {@code client/llb/exec.go}); never in a
 *       layer or the cache key. One nobody provided is left out (SSH_AUTH_SOCK still names its target when it is
 *       the first), or fails the step when {@code required};</li>
 * </ul>
 * Relative targets are relative to the working directory. Thread-safe.
 */
final class RunMounts {
    /** Whether this process may chown: only then are copies of a context reset to 0:0. */
    static final boolean EFFECTIVE_ROOT = effectiveRoot();
    /** The umask of dockerd (daemon_unix.go, setDefaultUmask), under which BuildKit's mkdir makes cache roots. */
    private static final int UMASK = 022;
    private static final String CHECKSUM_PREFIX = "mount";

    /** The mounts of a step, and the variables its secrets set. */
    record Prepared(List<SandboxMount> mounts, List<String> env, List<SshAgentProxy> proxies,
                    List<CacheMountLock.Held> locks, Path copies) implements AutoCloseable {
        Prepared {
            mounts = List.copyOf(mounts);
            env = List.copyOf(env);
            proxies = List.copyOf(proxies);
            locks = List.copyOf(locks);
        }

        /**
         * Stops the step's ssh-agent proxies, releases the cache mounts it held and deletes the step's bind and
         * secret copies ({@code copies}, null when the step has neither): a bind copy is as big as the context it
         * copies, and they piled up, one per RUN, until the build's scratch directory went. Agent sockets stay in
         * that shorter scratch path, under the socket path limit.
         */
        @Override
        public void close() {
            locks.forEach(CacheMountLock.Held::close);
            for (SshAgentProxy p : proxies) {
                try {
                    p.close();
                } catch (IOException e) {
                    // The socket lives in the build's scratch directory, which is deleted with the build.
                }
            }
            try {
                if (copies != null) {
                    FileTrees.delete(copies);
                }
            } catch (IOException e) {
                // What a RUN left there that cannot be deleted now goes with the build's scratch directory.
            }
        }
    }

    private final Path cacheRoot;
    private final StepRunner runner;
    private final Map<String, Path> secrets;
    private final Map<String, Path> ssh;
    private final String cacheNamespace;
    private final BindCopies bindCopies;
    private final PosixFiles posix;

    RunMounts(Path cacheRoot, StepRunner runner, Map<String, Path> secrets, Map<String, Path> ssh,
              String cacheNamespace, BindCopies bindCopies, PosixFiles posix) {
        this.bindCopies = bindCopies;
        this.posix = posix;
        this.cacheRoot = cacheRoot;
        this.runner = runner;
        this.secrets = secrets;
        this.ssh = ssh;
        this.cacheNamespace = cacheNamespace;
    }

    /**
     * Adds the checksums of the step's bind mounts and of its cache mounts' {@code from=} sources to
     * {@code checksums}, under {@link #checksumKey}.
     */
    void checksums(Step step, Map<Integer, BuildExecutor.State> stages, Map<String, Digest> checksums)
            throws Exception {
        int i = 0;
        for (Mount mount : step.mounts()) {
            // A cache mount's from= state is an input of BuildKit's exec op like a bind mount's: it keys the step.
            if (mount.type() == MountType.BIND || mount.type() == MountType.CACHE && !mount.from().isEmpty()) {
                checksums.put(checksumKey(i), sourceChecksum(step, mount, stages));
            }
            i++;
        }
    }

    /** The cache key part of the step's {@code index}th mount's source. */
    static String checksumKey(int index) {
        return CHECKSUM_PREFIX + index;
    }

    /** Whether {@code key} is one {@link #checksumKey} made. */
    static boolean isChecksumKey(String key) {
        return key.startsWith(CHECKSUM_PREFIX) && key.length() > CHECKSUM_PREFIX.length()
                && key.substring(CHECKSUM_PREFIX.length()).chars().allMatch(Character::isDigit);
    }

    private Digest sourceChecksum(Step step, Mount mount, Map<Integer, BuildExecutor.State> stages)
            throws Exception {
        CopySources sources = mount.type() == MountType.CACHE ? runner.cacheSources(step, mount.from(), stages)
                : runner.sources(step, mount.from(), stages);
        String source = mount.source().isEmpty() ? "." : mount.source();
        // The checksum alone (the one resolve would give): an image's is then remembered, and its layers pulled
        // only when the step runs.
        return Digest.parse(sources.checksum(new CopyRequest(List.of(source), "/mnt/", List.of(), false))
                .toString());
    }

    /**
     * The sandbox mounts of the step, making cache directories and bind copies as needed.
     *
     * @throws MissingSource when a cache mount's {@code source} is not in its cache
     */
    Prepared mounts(Step step, Map<Integer, BuildExecutor.State> stages, Path scratch) throws Exception {
        List<SandboxMount> out = new ArrayList<>();
        List<String> env = new ArrayList<>();
        List<SshAgentProxy> proxies = new ArrayList<>();
        List<String> sshTargets = new ArrayList<>();
        CacheUse caches = new CacheUse(scratch);
        int sshMounts = 0;
        // Only steps that may copy make the directory: a plain RUN pays no mkdir and walk for it.
        Path copies = step.mounts().stream().anyMatch(m -> m.type() == MountType.BIND || m.type() == MountType.SECRET)
                ? Files.createTempDirectory(scratch, "mounts-") : null;
        try {
            // In the exec op's order (MountKeys.order): a parent target mounts before the targets inside it,
            // whatever order the RUN lists them in, and secrets and ssh sockets go on top.
            for (int index : MountKeys.order(step)) {
                Mount mount = step.mounts().get(index);
                String target = target(mount.target(), step.environment().workingDir());
                switch (mount.type()) {
                    case CACHE -> out.add(SandboxMount.bind(cacheMount(step, mount, stages, caches).toString(),
                            target, mount.readOnly()));
                    case TMPFS -> out.add(SandboxMount.tmpfs(target, mount.sizeLimit() > 0
                            ? List.of("size=" + mount.sizeLimit()) : List.of()));
                    case BIND -> out.add(bind(step, mount, target, stages, copies));
                    case SECRET -> secret(mount, step.environment().workingDir(), out, env, copies);
                    case SSH -> ssh(mount, step, scratch, sshMounts++, out, sshTargets, proxies);
                    default -> throw new IllegalStateException("unknown mount type " + mount.type());
                }
            }
        } catch (Exception e) {
            new Prepared(List.of(), List.of(), proxies, caches.held, copies).close();
            throw e;
        }
        // client/llb/exec.go sets SSH_AUTH_SOCK to the first ssh mount's target whether or not its agent was
        // forwarded: an optional mount of a missing id still names its socket (measured with dockerd 26).
        if (!sshTargets.isEmpty()
                && step.environment().env().stream().noneMatch(e -> e.startsWith("SSH_AUTH_SOCK="))) {
            env.add("SSH_AUTH_SOCK=" + sshTargets.get(0));
        }
        return new Prepared(out, env, proxies, caches.held, copies);
    }

    private void ssh(Mount mount, Step step, Path scratch, int index, List<SandboxMount> out,
                     List<String> targets, List<SshAgentProxy> proxies) throws Exception {
        String id = MountIds.ssh(mount);
        String target = mount.target().isEmpty() ? "/run/buildkit/ssh_agent." + index
                : target(mount.target(), step.environment().workingDir());
        targets.add(target);
        Path agent = ssh.get(id);
        if (agent == null) {
            if (mount.required()) {
                // The session's answer when the client forwards no such agent (sshforward), as buildx 0.13.1 on
                // dockerd 26 prints it: buildx always offers an ssh session, so BuildKit's "no SSH key ... forwarded
                // from the client" (no session at all) does not reach a docker user.
                throw new BuildExecutor.StepFailure("unset ssh forward key " + id, null, null);
            }
            return;
        }
        Path socket = Files.createTempDirectory(scratch, "ssh-").resolve("agent.sock");
        SshAgentProxy proxy;
        try {
            proxy = SshAgentProxy.start(socket, agent, mount.uid().orElse(0), mount.gid().orElse(0),
                    (int) mount.mode().orElse(0600));
        } catch (IOException e) {
            throw new BuildExecutor.StepFailure("RUN --mount=type=ssh,id=" + id + ": " + e.getMessage(), null, null);
        }
        proxies.add(proxy);
        out.add(SandboxMount.bind(proxy.socket().toString(), target, false));
    }

    private void secret(Mount mount, String workingDir, List<SandboxMount> out, List<String> env, Path scratch)
            throws Exception {
        // convert_secrets.go dispatchSecret: the default target is /run/secrets/ plus the id's base name
        // (id=npm/token mounts /run/secrets/token).
        String id = MountIds.secret(mount);
        Path file = secrets.get(id);
        if (file == null) {
            if (mount.required()) {
                // BuildKit's words (session/secrets), as buildx 0.13.1 prints them.
                throw new BuildExecutor.StepFailure("secret " + id + ": not found", null, null);
            }
            // ops/exec.go loadSecretEnv sets the variable of an optional secret nobody gave, empty: a RUN that
            // tests ${TOKEN+set} or runs under set -u sees it defined.
            mount.env().ifPresent(name -> env.add(name + "="));
            return;
        }
        if (Files.isDirectory(file)) {
            // BuildKit's file secret store reads the file when a step asks for it (secretsprovider/store.go,
            // os.ReadFile): a directory fails that step, it is never mounted.
            throw new BuildExecutor.StepFailure("read " + file + ": is a directory", null, null);
        }
        if (mount.env().isPresent()) {
            env.add(mount.env().get() + "=" + Files.readString(file, StandardCharsets.UTF_8));
        }
        if (!mount.target().isEmpty() || mount.env().isEmpty()) {
            String target = mount.target().isEmpty() ? "/run/secrets/" + GoPaths.base(id)
                    : target(mount.target(), workingDir);
            out.add(SandboxMount.bind(secretFile(file, mount, scratch).toString(), target, true));
        }
    }

    /**
     * A private copy of the secret with the mount's {@code mode} (default 0400), {@code uid} and {@code gid}
     * (default 0), as BuildKit mounts secrets (llb.SecretFileOpt, dockerfile2llb/convert_secrets.go), not the
     * host file's own mode and owner. It lives in the build's scratch directory (mode 0700), deleted with it.
     */
    private static Path secretFile(Path file, Mount mount, Path scratch) throws IOException {
        Path dir = Files.createTempDirectory(scratch, "secret-");
        Path copy = dir.resolve("secret");
        Files.copy(file, copy);
        Files.setAttribute(copy, "unix:uid", (int) mount.uid().orElse(0));
        Files.setAttribute(copy, "unix:gid", (int) mount.gid().orElse(0));
        Files.setAttribute(copy, "unix:mode", (int) mount.mode().orElse(0400));
        return copy;
    }

    private SandboxMount bind(Step step, Mount mount, String target, Map<Integer, BuildExecutor.State> stages,
                              Path scratch) throws Exception {
        CopySources sources = runner.sources(step, mount.from(), stages);
        String sub = sources.followLinks(clean(mount.source()));
        Path source = sources.file(sub);
        // BuildKit binds the context as its client sent it: owners reset to 0:0 (client/solve.go resetUIDAndGID).
        // Only root can chown a copy; rootless, the user's own files already show as 0:0 in its user namespace.
        boolean resetOwners = EFFECTIVE_ROOT && sources.ownedByOthersUnder(sub);
        if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS) && (resetOwners || sources.excludesUnder(source))) {
            // ... and .dockerignore applied (the local source's include/exclude patterns, dockerui's build
            // context): excluded files are not in the mount. A read-only mount shares the build's one copy.
            BindCopies.Maker maker = into -> {
                sources.copyTree(sub, into);
                if (resetOwners) {
                    OwnerResets.reset(into);
                }
            };
            if (mount.readOnly()) {
                return SandboxMount.bind(bindCopies.copy(sources, sub, resetOwners, maker).toString(), target, true);
            }
            Path tree = Files.createTempDirectory(scratch, "bind-").resolve("data");
            maker.make(tree);
            return SandboxMount.bind(tree.toString(), target, false);
        }
        if (mount.readOnly() && !resetOwners) {
            return SandboxMount.bind(source.toString(), target, true);
        }
        Path copy = Files.createTempDirectory(scratch, "bind-");
        Path into = copy.resolve("data");
        // Hard links among the files stay links, as in the stage's snapshot BuildKit mounts.
        TreeCopies.copy(posix, source, into);
        if (resetOwners) {
            OwnerResets.reset(into);
        }
        return SandboxMount.bind(into.toString(), target, mount.readOnly());
    }

    /**
     * What a cache mount binds: the cache's {@code source} path, or the whole cache. As in BuildKit the source
     * selects a path of the one cache of the id (the exec mount's selector, executor/oci/spec.go subMount) instead
     * of making another cache: without {@code from=} it must already be there (a RUN of the same id made it), as
     * BuildKit opens it and fails the step otherwise; with {@code from=} the cache stands for the whole from state
     * and the path is filled from it ({@link CacheFills}), a file as well as a directory.
     */
    private Path cacheMount(Step step, Mount mount, Map<Integer, BuildExecutor.State> stages, CacheUse use)
            throws Exception {
        CopySources from = mount.from().isEmpty() ? null : runner.cacheSources(step, mount.from(), stages);
        Path root = cacheDir(step, mount, stages, use);
        String sub = clean(mount.source());
        boolean perms = madeDirectory(mount);
        if (from != null) {
            sub = perms ? "cache" : from.followLinks(sub);
            // convert_runmount.go: uid/gid/mode without a source mkdir /cache in the from state (a no-op where the
            // stage has it) and mount that.
            new CacheFills(posix, root).fill(from, sub, perms ? Optional.of(dir -> makeStart(dir, mount))
                    : Optional.empty());
        } else if (perms) {
            return root; // this cache's directory is the /cache its start state made
        }
        if (sub.isEmpty()) {
            return root;
        }
        Path shown = ConfinedPaths.resolve(root, sub);
        if (!Files.exists(shown, LinkOption.NOFOLLOW_LINKS)) {
            throw new MissingSource("open " + shown + ": no such file or directory");
        }
        return shown;
    }

    /**
     * A cache mount's source path that is not in the cache. BuildKit's executor fails to open it while setting up
     * the process, so the message comes wrapped as a failed process ({@link StepRunner} names the command).
     */
    static final class MissingSource extends Exception {
        private static final long serialVersionUID = 1L;

        MissingSource(String message) {
            super(message);
        }
    }

    /**
     * Whether the cache starts from the {@code /cache} directory setCacheUIDGID makes: uid/gid/mode and no source
     * ({@code source=.} or {@code /} is none: BuildKit tests {@code path.Join("/", source)}). With a source they
     * are ignored.
     */
    private static boolean madeDirectory(Mount mount) {
        return clean(mount.source()).isEmpty()
                && (mount.uid().isPresent() || mount.gid().isPresent() || mount.mode().isPresent());
    }

    /**
     * The root directory of the cache a mount uses, after taking what its {@code sharing} needs. As in BuildKit
     * (solver/llbsolver/mounts/mount.go, getRefCacheDir), a cache is found by its id and the state it starts from:
     * scratch, scratch with a {@code /cache} directory made with {@code uid}/{@code gid}/{@code mode}
     * (convert_runmount.go, setCacheUIDGID, used when there is no {@code source}), or the whole {@code from=} stage
     * or image ({@link StepRunner#stateIdentity}), whatever its {@code source}. So the same id with other owners,
     * another mode or another {@code from} is another cache, and one with another {@code source} the same.
     * {@code locked} waits until no other step (of this or another build) uses the cache; {@code private} takes a
     * fresh cache, dropped after the step, while another one uses it; {@code shared} (the default) uses it
     * alongside other shared users, and takes a fresh one while a locked or private user holds it
     * ({@link CacheMountLock}). BuildKit keeps such a fresh cache as a second one of the same id; wharf drops it
     * after the step. A cache with {@code from=} is filled later, path by path ({@link CacheFills}).
     */
    private Path cacheDir(Step step, Mount mount, Map<Integer, BuildExecutor.State> stages, CacheUse use)
            throws Exception {
        // convert_runmount.go: the default id is path.Clean of the target as written, so a relative target names
        // the same cache under every working directory (WORKDIR /a and /b both share "c" for target=c).
        String id = mount.cacheId().isEmpty() ? GoPaths.clean(mount.target()) : mount.cacheId();
        String base = "";
        if (madeDirectory(mount)) {
            base = "mkdir:" + mount.uid().orElse(0) + ":" + mount.gid().orElse(0) + ":"
                    + Long.toOctalString(mount.mode().orElse(0755));
        }
        if (!mount.from().isEmpty()) {
            // Not the source's checksum (which keys the step): every source of one from state is one cache.
            base += ":from-state:" + Digest.sha256Of(runner.stateIdentity(step, mount.from(), stages)
                    .getBytes(StandardCharsets.UTF_8)).hex();
        }
        String key = base.isEmpty() ? id : id + ":" + base;
        if (!cacheNamespace.isEmpty()) {
            // BuildKit's id is NS/ID (convert_runmount.go), and /ID without a namespace, so ids of no namespace never
            // meet namespaced ones; a NUL, which no Dockerfile id holds, keeps wharf's keys of no namespace as
            // they were.
            key = cacheNamespace + "\0" + key;
        }
        Path dir = cacheRoot.resolve(Digest.sha256Of(key.getBytes(StandardCharsets.UTF_8)).hex());
        SharingMode sharing = mount.sharing().orElse(SharingMode.SHARED);
        Path chosen = use.chosen.get(dir);
        if (chosen != null) {
            // The same cache twice in one step: both mounts show the one directory it took (mount.go's
            // cacheMounts of one exec op).
            return chosen;
        }
        Files.createDirectories(cacheRoot);
        CacheMountLock lock = CacheMountLock.ofCache(lockFile(dir));
        Optional<CacheMountLock.Held> held = switch (sharing) {
            case LOCKED -> Optional.of(lock.exclusive());
            case PRIVATE -> lock.tryExclusive();
            case SHARED -> lock.tryShared();
        };
        if (held.isEmpty()) {
            // A private user while anyone uses the cache, or a shared one while a locked or private user holds
            // it: BuildKit finds no free ref (GetMutable fails with ErrLocked) and makes a new one from the
            // mount's start state.
            Path fresh = Files.createTempDirectory(use.scratch, "cache-");
            Files.delete(fresh);
            if (mount.from().isEmpty()) {
                makeStart(fresh, mount);
            }
            use.chosen.put(dir, fresh);
            return fresh;
        }
        use.held.add(held.get());
        use.chosen.put(dir, dir);
        if (mount.from().isEmpty() && !Files.isDirectory(dir)) {
            Path fresh = Files.createTempDirectory(cacheRoot, "new-");
            Files.delete(fresh);
            makeStart(fresh, mount);
            try {
                Files.move(fresh, dir);
            } catch (IOException raced) {
                FileTrees.delete(fresh);
            }
        }
        return dir;
    }

    /**
     * Makes the empty start directory of a cache without {@code from=} at {@code dir} (which must not exist), or
     * the {@code /cache} of one with {@code from=} and {@code uid}/{@code gid}/{@code mode}: made by mkdir with
     * {@code mode} (default 0755) under the daemon's umask 022 (file/backend.go's mkdir does no chmod; dockerd
     * sets umask 022) and owned by {@code uid}/{@code gid}. With a {@code source} those do not apply: the cache
     * starts as scratch's root, 0755 and root's.
     */
    private static void makeStart(Path dir, Mount mount) throws IOException {
        boolean made = madeDirectory(mount);
        Files.createDirectory(dir);
        Files.setAttribute(dir, "unix:mode", made ? (int) startMode(mount) : 0755);
        Files.setAttribute(dir, "unix:uid", made ? (int) mount.uid().orElse(0) : 0);
        Files.setAttribute(dir, "unix:gid", made ? (int) mount.gid().orElse(0) : 0);
    }

    private static Path lockFile(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".lock");
    }

    /** The cache mounts one step has taken: the directory it uses for each cache and the uses it holds. */
    private static final class CacheUse {
        final Path scratch;
        final Map<Path, Path> chosen = new java.util.HashMap<>();
        final List<CacheMountLock.Held> held = new ArrayList<>();

        CacheUse(Path scratch) {
            this.scratch = scratch;
        }
    }

    /** The mode BuildKit's mkdir gives a new cache mount's start directory: its {@code mode=} under dockerd's umask. */
    static long startMode(Mount mount) {
        return mount.mode().orElse(0755) & 0777 & ~UMASK;
    }

    /** Whether this process runs with effective uid 0 ({@code /proc/self/status}), so it may chown. */
    private static boolean effectiveRoot() {
        return UserNamespaces.effectiveUid().map(uid -> uid == 0).orElse(false);
    }

    /** A mount's {@code source} as BuildKit's selector has it ({@code path.Join("/", source)}), relative. */
    private static String clean(String source) {
        return GoPaths.clean("/" + source).substring(1);
    }

    /** {@code target} made absolute against the working directory. */
    static String target(String target, String workingDir) {
        return StepRunner.absolute(target, workingDir).replaceAll("(.)/+$", "$1");
    }

    /** The stage or image a {@code from=} names, among the step's sources. */
    static Optional<StepSource> source(Step step, String from) {
        return step.sources().stream().filter(s -> s.written().equals(from)).findFirst();
    }
}
