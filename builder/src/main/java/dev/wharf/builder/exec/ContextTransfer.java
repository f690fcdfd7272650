package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.Step;
import dev.wharf.context.ContextException;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.Mount;
import dev.wharf.grammar.instructions.MountType;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.posix.PosixStat;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.glob.GoPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.nio.ByteBuffer;
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
 * <p>Thread-safe: stages running at once may reach it together; one of them shows it.
 */
final class ContextTransfer {
    private final Path root;
    /** Cleaned relative follow paths, split into components; empty: the whole context. */
    private final List<String[]> follow;
    private final List<String> excludes;
    private final Path stateDir;
    private final ProgressListener listener;
    private final AtomicInteger counter;
    private final PosixFiles posix;
    private boolean shown;

    /**
     * @param followPaths the context paths the build's steps read, as written ({@code /} or {@code .} for all)
     * @param stateDir    where the stats of each context directory's last transfer are kept
     */
    ContextTransfer(Path root, List<String> followPaths, List<String> excludes, Path stateDir,
                    ProgressListener listener, AtomicInteger counter, PosixFiles posix) {
        this.root = root;
        this.posix = posix;
        this.excludes = List.copyOf(excludes);
        this.stateDir = stateDir;
        this.listener = listener;
        this.counter = counter;
        List<String[]> paths = new ArrayList<>();
        for (String p : followPaths) {
            String clean = GoPaths.clean("/" + p);
            if (clean.equals("/")) {
                paths.clear(); // normalizeContextPaths: "/" means the whole context
                break;
            }
            paths.add(clean.substring(1).split("/"));
        }
        this.follow = paths;
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
        long bytes;
        try {
            bytes = transfer();
        } catch (IOException | ContextException | BadPatternException | RuntimeException e) {
            bytes = 0; // Only the shown count is lost; the steps read the context themselves and report errors.
        }
        listener.onEvent(new BuildEvent.Transfer(step, "transferring context:", bytes, 0, true));
        listener.onEvent(new BuildEvent.StepDone(step, Duration.ofNanos(System.nanoTime() - start)));
    }

    private long transfer() throws IOException, ContextException, BadPatternException {
        List<FsutilTransferSize.FileStat> sent = new ArrayList<>();
        walk(root, "", PatternMatcher.of(excludes), sent, new HashMap<>());
        Path state = stateDir.resolve(key(root));
        long[] previous = read(state);
        long[] now = new long[sent.size()];
        long total = FsutilTransferSize.end();
        for (int id = 0; id < sent.size(); id++) {
            FsutilTransferSize.FileStat stat = sent.get(id);
            now[id] = stat.fingerprint();
            total += FsutilTransferSize.of(stat, id, Arrays.binarySearch(previous, now[id]) < 0);
        }
        Arrays.sort(now);
        ByteBuffer bytes = ByteBuffer.allocate(now.length * Long.BYTES);
        bytes.asLongBuffer().put(now);
        Files.createDirectories(stateDir);
        Path tmp = Files.createTempFile(stateDir, "tmp-", "");
        Files.write(tmp, bytes.array());
        Files.move(tmp, state, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return total;
    }

    /**
     * fsutil's walk: each directory's entries in byte order, excluded paths and those outside the follow paths left
     * out. One lstat per entry through the store's POSIX binding: a context of 20,000 files cost two seconds with
     * java.nio's attribute maps.
     */
    private void walk(Path dir, String prefix, PatternMatcher ignore, List<FsutilTransferSize.FileStat> out,
                      Map<Long, String> links) throws IOException, ContextException, BadPatternException {
        List<String> names;
        try {
            names = new ArrayList<>(posix.listDirectory(dir));
        } catch (UnsupportedOperationException | LayerException e) {
            names = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path e2 : entries) {
                    names.add(e2.getFileName().toString());
                }
            }
        }
        names.sort(null);
        for (String name : names) {
            String rel = prefix.isEmpty() ? name : prefix + "/" + name;
            int relation = followRelation(rel);
            if (relation == 0) {
                continue;
            }
            Path file = dir.resolve(name);
            boolean excluded = !ignore.isEmpty() && ignore.matchesOrParentMatches(rel);
            PosixStat st;
            try {
                st = posix.lstat(file);
            } catch (UnsupportedOperationException | LayerException e) {
                FsutilTransferSize.FileStat plain = FsutilTransferSize.stat(file, rel);
                boolean isDir = plain.directory();
                if (!excluded && (relation == 2 || isDir)) {
                    out.add(plain);
                }
                if (isDir && (!excluded || ignore.hasExclusions())) {
                    walk(file, rel, ignore, out, links);
                }
                continue;
            }
            int type = st.mode() & 0170000;
            boolean isDir = type == 0040000;
            if (!excluded && (relation == 2 || isDir)) {
                // A parent of a follow path is sent too: the receiver needs the directories leading to it.
                String link = "";
                if (type == 0120000) {
                    link = Files.readSymbolicLink(file).toString();
                } else if (!isDir && st.nlink() > 1) {
                    // fsutil's inodemap: a hard link's later names carry the first one as linkname, and no data.
                    String first = links.putIfAbsent(st.inode(), rel);
                    link = first == null ? "" : first;
                }
                out.add(FsutilTransferSize.stat(rel, st.mode(), st.uid(), st.gid(), st.size(), st.mtimeNanos(),
                        link));
            }
            if (isDir && (!excluded || ignore.hasExclusions())) {
                walk(file, rel, ignore, out, links);
            }
        }
    }

    /** 0: outside every follow path; 1: a parent directory of one; 2: one, or inside one. */
    private int followRelation(String rel) {
        if (follow.isEmpty()) {
            return 2;
        }
        String[] parts = rel.split("/");
        int best = 0;
        for (String[] f : follow) {
            int n = Math.min(parts.length, f.length);
            boolean match = true;
            for (int i = 0; i < n && match; i++) {
                match = component(f[i]).matches(Path.of(parts[i]));
            }
            if (match) {
                best = Math.max(best, parts.length >= f.length ? 2 : 1);
            }
        }
        return best;
    }

    private static PathMatcher component(String pattern) {
        return FileSystems.getDefault().getPathMatcher("glob:" + pattern.replace("{", "\\{").replace("}", "\\}"));
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
