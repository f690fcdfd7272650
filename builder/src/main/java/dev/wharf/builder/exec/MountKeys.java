package dev.wharf.builder.exec;

import dev.wharf.builder.plan.MountIds;
import dev.wharf.builder.plan.Step;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.grammar.instructions.Mount;
import dev.wharf.grammar.instructions.MountType;
import dev.wharf.grammar.instructions.SharingMode;
import dev.wharf.layers.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cache key form of a RUN's mounts: what BuildKit's exec op cache map holds of them, so that the same mounts
 * written differently keep the step cached as they do in BuildKit, and only what changes the result reruns it.
 * From client/llb/exec.go (Marshal) and solver/llbsolver/ops/exec.go (CacheMap, getMountDeps):
 * <ul>
 *   <li>bind, cache and tmpfs mounts sorted by target, so their order in the RUN does not count; targets as
 *       dockerfile2llb makes them (an absolute one as written, a relative one joined to the working directory);</li>
 *   <li>a mount's source as its selector, {@code path.Join("/", source)} ({@code ./a}, {@code a} and {@code /a/}
 *       are one), and the content checksum of what it selects ({@link #checksums}), never the name of the stage it
 *       comes from;</li>
 *   <li>a cache mount's id and sharing left out (checkShouldClearCacheOpts) unless they are dockerfile2llb's
 *       defaults (id the target, sharing shared), so renaming a cache or locking it reruns nothing; the
 *       {@code BUILDKIT_CACHE_MOUNT_NS} namespace counts only through such a default id;</li>
 *   <li>a cache mount's start state: {@code uid}/{@code gid}/{@code mode} as the directory they make (mode under
 *       umask 022, so 0777 and 0755 are one), none when {@code source} is set, and a {@code from=}'s content;</li>
 *   <li>secrets then ssh sockets in their order, each by the id it asks for (so {@code source=x} is {@code id=x}),
 *       its target and file options with their defaults filled in (0400 for secrets, 0600 for ssh), a secret
 *       variable by its id and name.</li>
 * </ul>
 * Stateless.
 */
final class MountKeys {
    private MountKeys() {
    }

    /**
     * The key entries of the step's mounts, their sources' content aside ({@link #checksums});
     * {@code namespace} is the build's cache mount namespace ("" for none).
     */
    static List<String> of(Step step, String namespace) {
        String workingDir = step.environment().workingDir();
        List<String> out = new ArrayList<>();
        int ssh = 0;
        for (int index : order(step)) {
            Mount mount = step.mounts().get(index);
            switch (mount.type()) {
                case BIND, CACHE, TMPFS -> {
                    String dest = dest(mount.target(), workingDir);
                    out.add(filesystem(mount, dest, namespace));
                }
                case SECRET -> out.addAll(secret(mount));
                case SSH -> out.add(ssh(mount, ssh++));
                default -> throw new IllegalStateException("unknown mount type " + mount.type());
            }
        }
        return out;
    }

    /**
     * The content checksums of the step's mount sources as the key holds them: named by the mount's place in
     * {@link #order} ({@link RunMounts#checksumKey} of it), so that reordering the RUN's mounts keeps them, and
     * without that of a cache mount made with uid/gid/mode, whose start directory is all BuildKit's key sees of its
     * {@code from=} state. {@code checksums} holds them by the mounts' places in the RUN.
     */
    static Map<String, Digest> checksums(Step step, Map<String, Digest> checksums) {
        Map<String, Digest> out = new TreeMap<>();
        List<Integer> order = order(step);
        for (int place = 0; place < order.size(); place++) {
            Mount mount = step.mounts().get(order.get(place));
            Digest checksum = checksums.get(RunMounts.checksumKey(order.get(place)));
            if (checksum != null && !(mount.type() == MountType.CACHE && madeDirectory(mount))) {
                out.put(RunMounts.checksumKey(place), checksum);
            }
        }
        return out;
    }

    /**
     * The indexes of the step's mounts in the order of BuildKit's exec op, which is also the order the runtime
     * mounts them in: bind, cache and tmpfs mounts sorted by target (stable for equal ones), then secrets, then
     * ssh sockets, each in the order the RUN lists them.
     */
    static List<Integer> order(Step step) {
        String workingDir = step.environment().workingDir();
        List<Mount> mounts = step.mounts();
        List<Integer> filesystems = new ArrayList<>();
        List<Integer> secrets = new ArrayList<>();
        List<Integer> sshSockets = new ArrayList<>();
        for (int i = 0; i < mounts.size(); i++) {
            switch (mounts.get(i).type()) {
                case SECRET -> secrets.add(i);
                case SSH -> sshSockets.add(i);
                default -> filesystems.add(i);
            }
        }
        // slices.SortFunc with strings.Compare: Go compares bytes, so compare UTF-8, not UTF-16 units.
        filesystems.sort(Comparator.comparing(i -> dest(mounts.get(i).target(), workingDir), (a, b) ->
                Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8))));
        List<Integer> out = new ArrayList<>(filesystems);
        out.addAll(secrets);
        out.addAll(sshSockets);
        return out;
    }

    private static String filesystem(Mount mount, String dest, String namespace) {
        String selector = selector(mount.source());
        return switch (mount.type()) {
            case BIND -> "bind dest=" + dest + " ro=" + mount.readOnly() + " selector=" + selector;
            case TMPFS -> "tmpfs dest=" + dest + " ro=" + mount.readOnly() + " size=" + mount.sizeLimit();
            default -> "cache dest=" + dest + " ro=" + mount.readOnly() + " id=" + cacheId(mount, dest, namespace)
                    + " " + startState(mount, selector);
        };
    }

    /** Whether a cache mount starts from the directory setCacheUIDGID makes: uid/gid/mode and no source. */
    private static boolean madeDirectory(Mount mount) {
        return selector(mount.source()).equals("/")
                && (mount.uid().isPresent() || mount.gid().isPresent() || mount.mode().isPresent());
    }

    /**
     * What BuildKit mounts a cache from: the {@code source} of the {@code from=} state (scratch without one), a
     * directory made with uid/gid/mode when there is no source, the {@code from=} state's root, or nothing.
     */
    private static String startState(Mount mount, String selector) {
        if (!selector.equals("/")) {
            return "selector=" + selector;
        }
        if (madeDirectory(mount)) {
            // The content hash of the directory setCacheUIDGID makes on the from= state (or scratch): its owner
            // and mode, nothing of the state it is made on.
            return "mkdir=" + mount.uid().orElse(0) + ":" + mount.gid().orElse(0) + ":"
                    + Long.toOctalString(RunMounts.startMode(mount));
        }
        return mount.from().isEmpty() ? "scratch" : "selector=/";
    }

    /** The cache id as the key keeps it: only the default one (the target, shared), else nothing. */
    private static String cacheId(Mount mount, String dest, String namespace) {
        String id = namespace + "/" + (mount.cacheId().isEmpty() ? GoPaths.clean(mount.target()) : mount.cacheId());
        SharingMode sharing = mount.sharing().orElse(SharingMode.SHARED);
        int slash = id.indexOf('/');
        boolean kept = sharing == SharingMode.SHARED && (id.equals(dest) || id.substring(slash + 1).equals(dest));
        return kept ? id : "";
    }

    private static List<String> secret(Mount mount) {
        String id = MountIds.secret(mount);
        List<String> out = new ArrayList<>();
        boolean optional = !mount.required();
        if (mount.env().isPresent()) {
            out.add("secretenv id=" + id + " name=" + mount.env().get() + " optional=" + optional);
        }
        if (!mount.target().isEmpty() || mount.env().isEmpty()) {
            String dest = mount.target().isEmpty() ? "/run/secrets/" + GoPaths.base(id) : mount.target();
            out.add("secret dest=" + dest + " id=" + id + " uid=" + mount.uid().orElse(0) + " gid="
                    + mount.gid().orElse(0) + " mode=" + Long.toOctalString(mount.mode().orElse(0400))
                    + " optional=" + optional);
        }
        return out;
    }

    /** An ssh socket: its id as written ("" without one, which BuildKit keeps apart from {@code id=default}). */
    private static String ssh(Mount mount, int index) {
        String dest = mount.target().isEmpty() ? "/run/buildkit/ssh_agent." + index : mount.target();
        return "ssh dest=" + dest + " id=" + mount.cacheId() + " uid=" + mount.uid().orElse(0) + " gid="
                + mount.gid().orElse(0) + " mode=" + Long.toOctalString(mount.mode().orElse(0600))
                + " optional=" + !mount.required();
    }

    /** dockerfile2llb's mount target: as written when absolute, else joined to the working directory. */
    private static String dest(String target, String workingDir) {
        if (GoPaths.clean(target).startsWith("/")) {
            return target;
        }
        String wd = workingDir.isEmpty() ? "/" : workingDir;
        return GoPaths.clean("/" + wd + "/" + target);
    }

    /** {@code path.Join("/", source)}. */
    private static String selector(String source) {
        return GoPaths.clean("/" + source);
    }
}
