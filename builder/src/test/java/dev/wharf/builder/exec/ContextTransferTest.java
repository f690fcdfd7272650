package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.context.checksum.ContextSnapshot;
import dev.wharf.context.ignore.PatternMatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The context transfer's byte count computed from the build's context snapshot: the paths in fsutil's walk order
 * (a directory's subtree right after it, before a sibling named {@code a-b} or {@code a.txt}), the follow paths'
 * parents as directories only, hard links and symlinks with their link names, the ignore file's exclusions, and a
 * rebuild counting unchanged files by their stat alone. Expected sizes come from java.nio's stat of each path
 * ({@link FsutilTransferSize#stat(Path, String)}), not the snapshot's.
 */
class ContextTransferTest {
    @TempDir
    Path temp;

    private Path context;
    private final List<BuildEvent> events = new ArrayList<>();

    @BeforeEach
    void tree() throws Exception {
        context = Files.createDirectories(temp.resolve("ctx"));
        Files.createDirectories(context.resolve("a/sub"));
        write("a/x", "x\n");
        write("a/sub/deep.txt", "deep\n");
        write("a-b", "dash\n");
        write("a.txt", "dot\n");
        write("b.log", "ignored\n");
        write("h1", "hard\n");
        Files.createLink(context.resolve("h2"), context.resolve("h1"));
        Files.createSymbolicLink(context.resolve("link"), Path.of("a/x"));
        for (String dir : new String[] {"a/sub", "a"}) {
            Files.setLastModifiedTime(context.resolve(dir), FileTime.from(Instant.parse("2026-11-28T22:00:00Z")));
        }
    }

    private void write(String rel, String text) throws Exception {
        Files.writeString(context.resolve(rel), text);
        Files.setLastModifiedTime(context.resolve(rel), FileTime.from(Instant.parse("2026-11-28T22:05:00.5Z")));
    }

    private long show(List<String> follow, String... excludes) throws Exception {
        return show("state", follow, excludes);
    }

    /** The count of a transfer, with the last transfer's fingerprints kept in {@code state}. */
    private long show(String state, List<String> follow, String... excludes) throws Exception {
        ContextSnapshot snapshot = ContextSnapshot.scan(context, PatternMatcher.of(List.of(excludes)));
        events.clear();
        new ContextTransfer(() -> snapshot, follow, temp.resolve(state), events::add, new AtomicInteger(4)).show();
        assertTrue(events.get(0) instanceof BuildEvent.StepStarted s && s.step() == 5
                && s.name().equals("load build context"), events.toString());
        assertTrue(events.get(1) instanceof BuildEvent.Transfer t && t.current() == 0 && !t.completed(),
                events.toString());
        assertTrue(events.get(3) instanceof BuildEvent.StepDone, events.toString());
        return ((BuildEvent.Transfer) events.get(2)).current();
    }

    /** The packets of {@code paths} sent in this order, each with its data when {@code data}. */
    private long expected(boolean data, String... paths) throws Exception {
        long total = FsutilTransferSize.end();
        for (int id = 0; id < paths.length; id++) {
            String rel = paths[id];
            FsutilTransferSize.FileStat s = FsutilTransferSize.stat(context.resolve(rel), rel);
            if (rel.equals("h2")) { // fsutil's inodemap: the first name as linkname
                s = new FsutilTransferSize.FileStat(s.path(), s.mode(), s.uid(), s.gid(), s.size(), s.modTimeNanos(),
                        "h1");
            }
            total += FsutilTransferSize.of(s, id, data);
        }
        return total;
    }

    @Test
    void theWholeContext_isSentInFsutilsWalkOrder_withoutTheIgnored_andARebuildSendsStatsOnly() throws Exception {
        String[] order = {"a", "a/sub", "a/sub/deep.txt", "a/x", "a-b", "a.txt", "h1", "h2", "link"};
        assertEquals(expected(true, order), show(List.of("."), "*.log"));
        assertEquals(expected(false, order), show(List.of("."), "*.log"));

        // A changed file is sent again with its data; the others cost their stat.
        write("a-b", "changed\n");
        long changed = show(List.of("/"), "*.log");
        FsutilTransferSize.FileStat dash = FsutilTransferSize.stat(context.resolve("a-b"), "a-b");
        assertEquals(expected(false, order) - FsutilTransferSize.of(dash, 4, false)
                + FsutilTransferSize.of(dash, 4, true), changed);
    }

    @Test
    void followPaths_sendTheirParentDirectories_andWhatMatches() throws Exception {
        assertEquals(expected(true, "a", "a/sub", "a/sub/deep.txt"), show("s1", List.of("a/sub/deep.txt")));
        // A pattern per component, as Go's filepath.Match; ./ and a trailing slash are cleaned away.
        assertEquals(expected(true, "a", "a/sub", "a/sub/deep.txt", "a.txt"),
                show("s2", List.of("./a/s*/*.txt", "*.txt")));
        assertEquals(expected(true, "a", "a/sub", "a/sub/deep.txt", "a/x"), show("s3", List.of("a/")));
        assertEquals(expected(true, "h1", "h2"), show("s4", List.of("h[0-9]")));
    }

    @Test
    void anExcludedDirectory_isSentBeforeWhatAnExceptionReincludes() throws Exception {
        // fsutil's filtered walk reports the excluded parent so that the receiver can create the re-included file.
        assertEquals(expected(true, "a", "a/x", "a-b", "a.txt", "b.log", "h1", "h2", "link"),
                show(List.of("."), "a", "!a/x"));
    }
    @Test
    void anExceptionInsideAnExcludedDirectory_countsAsThePeersTransfer() throws Exception {
        dev.wharf.builder.testing.HostRequirements.requireRoot(); // owners 0:0, as the peer's numbers were taken
        // Measured with the peer (dockerd 26, BuildKit): "transferring context: 216B done", then 130B on a rebuild.
        context = Files.createDirectories(temp.resolve("peer"));
        Files.createDirectories(context.resolve("a/sub"));
        write("Dockerfile", "FROM prog11-busybox:latest\nCOPY . /ctx\n");
        write(".dockerignore", "a\n!a/x\n");
        write("a/x", "x\n");
        write("a/y", "y\n");
        write("a/sub/d", "d\n");
        write("a.txt", "t\n");
        for (String p : new String[] {"Dockerfile", ".dockerignore", "a/x", "a/y", "a/sub/d", "a.txt", "a/sub", "a"}) {
            Files.setPosixFilePermissions(context.resolve(p), java.nio.file.attribute.PosixFilePermissions.fromString(
                    Files.isDirectory(context.resolve(p)) ? "rwxr-xr-x" : "rw-r--r--"));
            Files.setLastModifiedTime(context.resolve(p), FileTime.from(Instant.parse("2026-11-28T22:00:00Z")));
        }
        assertEquals(216, show("peer-state", List.of("."), "a", "!a/x"));
        assertEquals(130, show("peer-state", List.of("."), "a", "!a/x"));
    }

    @Test
    void symlinkedFollowPaths_sendTheLinkAndWhatItPointsTo_asFsutilsFollowLinks() throws Exception {
        // COPY link (-> a/x) sends a/x too; COPY a-dir-link/deep.txt (-> a/sub) sends the link and a/sub/deep.txt.
        Files.createSymbolicLink(context.resolve("sublink"), Path.of("a/sub"));
        Files.createSymbolicLink(context.resolve("abs"), Path.of("/a.txt"));
        Files.createSymbolicLink(context.resolve("up"), Path.of("../../a-b"));
        Files.createSymbolicLink(context.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(context.resolve("loop2"), Path.of("loop1"));
        assertEquals(expected(true, "a", "a/x", "link"), show("l1", List.of("link")));
        assertEquals(expected(true, "a", "a/sub", "a/sub/deep.txt", "sublink"), show("l2",
                List.of("sublink/deep.txt")));
        // An absolute target is taken from the context's root, a relative one never goes above it; a loop ends.
        assertEquals(expected(true, "a-b", "a.txt", "abs", "up"), show("l3", List.of("abs", "up")));
        assertEquals(expected(true, "loop1", "loop2"), show("l4", List.of("loop1")));
        // A wildcard follows the links among the names it matches.
        assertEquals(expected(true, "a", "a/sub", "a/sub/deep.txt", "a/x", "link", "sublink"),
                show("l5", List.of("*link")));
    }

    @Test
    void aSymlinkSource_countsAsThePeersTransfer() throws Exception {
        dev.wharf.builder.testing.HostRequirements.requireRoot(); // owners 0:0, as the peer's numbers were taken
        // Measured with the peer (dockerd 26's BuildKit, docker 20.10 and buildx 0.13.1 alike) for COPY link.txt /x/
        // and COPY dlink /y/ (link.txt -> a.txt, dlink -> d, d/f), everything dated @1100000000: 158B; the two
        // links alone would be 67B.
        context = Files.createDirectories(temp.resolve("peer-links"));
        Files.createDirectories(context.resolve("d"));
        write("a.txt", "hello\n");
        write("d/f", "x\n");
        Files.createSymbolicLink(context.resolve("link.txt"), Path.of("a.txt"));
        Files.createSymbolicLink(context.resolve("dlink"), Path.of("d"));
        for (String p : new String[] {"a.txt", "d/f", "d", "link.txt", "dlink"}) {
            if (!Files.isSymbolicLink(context.resolve(p))) {
                Files.setPosixFilePermissions(context.resolve(p), java.nio.file.attribute.PosixFilePermissions
                        .fromString(Files.isDirectory(context.resolve(p)) ? "rwxr-xr-x" : "rw-r--r--"));
            }
            new ProcessBuilder("touch", "-h", "-d", "@1100000000", context.resolve(p).toString()).start().waitFor();
        }
        assertEquals(158, show("peer-links-state", List.of("link.txt", "dlink")));
    }
}
