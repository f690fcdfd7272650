package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.Step;
import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ContextSnapshot;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.glob.GoGlob;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.context.walk.FileStat;
import dev.wharf.context.walk.FileType;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.Mount;
import dev.wharf.grammar.instructions.MountType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * BuildKit's {@code #N [internal] load build context} vertex: the one transfer of the local context a build makes,
 * the first time a step reads it (dockerfile2llb's one {@code llb.Local("context")} with the dockerignore patterns
 * as excludes and the COPY/ADD sources as follow paths; a source of {@code .} sends everything), showing
 * {@code transferring context: 38B done}. Wharf reads the context in place; the byte count is what BuildKit's
 * file sync would have moved ({@link FsutilTransferSize}): a rebuild from the same directory sends only the stats
 * of unchanged files, as BuildKit's receiver keeps the last transfer per context directory, so what was sent is
 * remembered in the store ({@code state/context-transfers/}).
 *
 * <p>The paths and their stats come from the context's snapshot, the scan the steps' cache keys are computed from
 * ({@link CopySources#snapshot}): the count costs no walk of its own, and the vertex's time is that scan's, which
 * is where the steps would otherwise spend it.
 *
 * <p>Thread-safe: stages running at once may reach it together; one of them shows it.
 */
final class ContextTransfer {
    /** Where the context's paths come from: the build's one scan of it, made on first use. */
    @FunctionalInterface
    interface Snapshots {
        ContextSnapshot snapshot() throws ContextException;
    }

    /** One component of a follow path: a literal name, or a pattern matched as Go's filepath.Match. */
    private record Component(String text, boolean literal) {
        static Component of(String text) {
            boolean literal = text.indexOf('*') < 0 && text.indexOf('?') < 0 && text.indexOf('[') < 0
                    && text.indexOf('\\') < 0;
            return new Component(text, literal);
        }

        boolean matches(String name) throws BadPatternException {
            return literal ? text.equals(name) : GoGlob.match(text, name);
        }
    }

    private final Snapshots snapshots;
    /** Cleaned relative follow paths as the steps name them; empty: the whole context. */
    private final List<String> followPaths;
    /** The follow paths with their symlinks resolved ({@link FollowLinks}), by component; empty: everything. */
    private List<Component[]> follow = List.of();
    private final Path stateDir;
    private final ProgressListener listener;
    private final AtomicInteger counter;
    private boolean shown;

    /**
     * @param followPaths the context paths the build's steps read, as written ({@code /} or {@code .} for all)
     * @param stateDir    where the stats of each context directory's last transfer are kept
     */
    ContextTransfer(Snapshots snapshots, List<String> followPaths, Path stateDir, ProgressListener listener,
                    AtomicInteger counter) {
        this.snapshots = snapshots;
        this.stateDir = stateDir;
        this.listener = listener;
        this.counter = counter;
        List<String> paths = new ArrayList<>();
        for (String p : followPaths) {
            String clean = GoPaths.clean("/" + p);
            if (clean.equals("/")) {
                paths.clear(); // normalizeContextPaths: "/" means the whole context
                break;
            }
            paths.add(clean.substring(1));
        }
        this.followPaths = List.copyOf(paths);
    }

    /**
     * The context paths {@code step} reads (dockerfile2llb's ctxPaths): a COPY's or ADD's sources when it copies
     * from the context (not a URL or git source), a RUN's bind mount without {@code from}; empty when it reads none.
     */
    static List<String> paths(Step step) {
        List<String> out = new ArrayList<>();
        if (step.instruction() instanceof CopyInstruction copy && copy.from().isEmpty()) {
            copy.files().sourcePaths().forEach(w -> out.add(w.text()));
        } else if (step.instruction() instanceof AddInstruction add) {
            for (var w : add.files().sourcePaths()) {
                String t = w.text();
                if (!t.contains("://") && !t.startsWith("git@")) {
                    out.add(t);
                }
            }
        }
        for (Mount m : step.mounts()) {
            if (m.type() == MountType.BIND && m.from().isEmpty()) {
                out.add(m.source().isEmpty() ? "/" : m.source());
            }
        }
        return out;
    }

    /** Every context path the plan's steps read; {@code /} stands for the whole context. */
    static List<String> paths(BuildPlan plan) {
        List<String> out = new ArrayList<>();
        for (PlannedStage stage : plan.stages()) {
            for (Step step : stage.steps()) {
                out.addAll(paths(step));
            }
        }
        return out;
    }

    /** Shows the transfer, once per build; a later call returns at once. */
    synchronized void show() {
        if (shown) {
            return;
        }
        shown = true;
        int step = counter.incrementAndGet();
        long start = System.nanoTime();
        listener.onEvent(new BuildEvent.StepStarted(step, "internal", 0, 0, "load build context"));
        // The status starts before the walk, as fsutil's does, so that progress can show how long it took.
        listener.onEvent(new BuildEvent.Transfer(step, "transferring context:", 0, 0, false));
        long bytes;
        try {
            bytes = transfer(snapshots.snapshot());
        } catch (IOException | ContextException | BadPatternException | RuntimeException e) {
            bytes = 0; // Only the shown count is lost; the steps read the context themselves and report errors.
        }
        listener.onEvent(new BuildEvent.Transfer(step, "transferring context:", bytes, 0, true));
        listener.onEvent(new BuildEvent.StepDone(step, Duration.ofNanos(System.nanoTime() - start)));
    }

    /**
     * The byte count of sending {@code snapshot}'s paths within the follow paths, in the snapshot's order (fsutil's
     * walk order: see {@link ContextSnapshot#forEachStat}), and the fingerprints of what was sent kept for the next
     * build from the same directory. The snapshot holds what survives the ignore file, as fsutil's filtered walk
     * reports it (an excluded directory reported before an entry an exception re-includes in it).
     */
    long transfer(ContextSnapshot snapshot) throws IOException, BadPatternException {
        Path state = stateDir.resolve(key(snapshot.root()));
        List<Component[]> resolved = new ArrayList<>();
        if (!followPaths.isEmpty()) {
            for (String p : FollowLinks.resolve(snapshot.root(), followPaths)) {
                resolved.add(Arrays.stream(p.split("/")).map(Component::of).toArray(Component[]::new));
            }
        }
        follow = resolved;
        long[] previous = read(state);
        Sent sent = new Sent(previous);
        try {
            snapshot.forEachStat(sent);
        } catch (Failure f) {
            throw f.pattern;
        }
        long[] now = Arrays.copyOf(sent.fingerprints, sent.count);
        Arrays.sort(now);
        write(state, now);
        return sent.total;
    }

    /** Carries a follow path's pattern error out of the snapshot's visitor. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient BadPatternException pattern;

        Failure(BadPatternException pattern) {
            super(null, null, false, false);
            this.pattern = pattern;
        }
    }

    /** Adds up the packets of each path the transfer sends, as the snapshot hands them over in walk order. */
    private final class Sent implements java.util.function.Consumer<FileStat> {
        private final long[] previous;
        /** fsutil's inodemap: a hard link's later names carry the first one as linkname, and no data. */
        private final Map<Long, String> links = new HashMap<>();
        long[] fingerprints = new long[1024];
        int count;
        long total = FsutilTransferSize.end();

        Sent(long[] previous) {
            this.previous = previous;
        }

        @Override
        public void accept(FileStat st) {
            String rel = st.path();
            FileType type = st.type();
            boolean isDir = type == FileType.DIRECTORY;
            int relation;
            try {
                relation = followRelation(rel);
            } catch (BadPatternException e) {
                throw new Failure(e);
            }
            // A parent of a follow path is sent too: the receiver needs the directories leading to it.
            if (relation == 0 || (relation == 1 && !isDir)) {
                return;
            }
            String link = "";
            if (type == FileType.SYMLINK) {
                link = st.linkTarget();
            } else if (!isDir && st.nlink() > 1) {
                String first = links.putIfAbsent(st.inode(), rel);
                link = first == null ? "" : first;
            }
            FsutilTransferSize.FileStat stat = FsutilTransferSize.stat(rel, st.mode(), st.uid(), st.gid(), st.size(),
                    st.mtimeNanos(), link);
            long fingerprint = stat.fingerprint();
            total += FsutilTransferSize.of(stat, count, Arrays.binarySearch(previous, fingerprint) < 0);
            if (count == fingerprints.length) {
                fingerprints = Arrays.copyOf(fingerprints, count * 2);
            }
            fingerprints[count++] = fingerprint;
        }
    }

    /** 0: outside every follow path; 1: a parent directory of one; 2: one, or inside one. */
    private int followRelation(String rel) throws BadPatternException {
        if (follow.isEmpty()) {
            return 2;
        }
        String[] parts = rel.split("/");
        int best = 0;
        for (Component[] f : follow) {
            int n = Math.min(parts.length, f.length);
            boolean match = true;
            for (int i = 0; i < n && match; i++) {
                match = f[i].matches(parts[i]);
            }
            if (match) {
                best = Math.max(best, parts.length >= f.length ? 2 : 1);
            }
        }
        return best;
    }

    /**
     * Replaces the kept fingerprints atomically (a reader sees the old set or the new one), without fsync: they only
     * decide the shown byte count, and a set lost in a crash makes the next build count every file as sent.
     */
    private void write(Path state, long[] fingerprints) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(fingerprints.length * Long.BYTES);
        bytes.asLongBuffer().put(fingerprints);
        Files.createDirectories(stateDir);
        Path tmp = Files.createTempFile(stateDir, "tmp-", "");
        try {
            Files.write(tmp, bytes.array());
            Files.move(tmp, state, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The fingerprints of the paths the last transfer from this directory sent, sorted; none before the first.
     * Kept as fingerprints, not text: a context of 20,000 files spent most of its time building and parsing lines.
     */
    private static long[] read(Path state) {
        try {
            byte[] bytes = Files.readAllBytes(state);
            long[] out = new long[bytes.length / Long.BYTES];
            ByteBuffer.wrap(bytes).asLongBuffer().get(out);
            return out;
        } catch (IOException e) {
            return new long[0]; // First transfer of this directory: everything is sent.
        }
    }

    private static String key(Path root) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(root.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
