package dev.wharf.builder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link Snapshotter} contract, run against every implementation on a real directory. */
abstract class SnapshotterContract {
    @TempDir
    Path temp;
    LocalSnapshotter snapshotter;

    abstract LocalSnapshotter open(Path root) throws SnapshotException;

    @BeforeEach
    void setUp() throws Exception {
        snapshotter = open(temp.resolve("store"));
    }

    /** What a process killed while it had the store open leaves: its user marker, no longer locked. */
    void leaveMarkerOfAKilledProcess() throws Exception {
        Path users = Files.createDirectories(temp.resolve("store/users"));
        Files.writeString(users.resolve("0123456789abcdef01234567.lock"), "");
    }

    static Path writable(List<Mount> mounts) {
        return Path.of(mounts.get(0).writableDir().orElseThrow());
    }

    /** Commits a layer holding {@code files} (path -> content) on {@code parent}. */
    void layer(String name, String parent, String... pathsAndContents) throws Exception {
        List<Mount> m = snapshotter.prepare(name + "-active", parent);
        Path dir = writable(m);
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            Path file = dir.resolve(pathsAndContents[i]);
            Files.createDirectories(file.getParent());
            Files.writeString(file, pathsAndContents[i + 1]);
        }
        snapshotter.commit(name, name + "-active");
    }

    @Test
    void prepare_withoutParent_isAnEmptyWritableBind() throws Exception {
        List<Mount> m = snapshotter.prepare("k", null);
        assertEquals(1, m.size());
        assertEquals("bind", m.get(0).type());
        assertFalse(m.get(0).readOnly());
        try (Stream<Path> entries = Files.list(writable(m))) {
            assertEquals(0, entries.count());
        }
        assertEquals(Optional.of(new SnapshotInfo("k", SnapshotKind.ACTIVE, Optional.empty())),
                snapshotter.stat("k"));
    }

    @Test
    void commit_turnsTheKeyIntoANamedParent() throws Exception {
        layer("sha256:aaaa", null, "etc/os-release", "base");
        assertEquals(Optional.empty(), snapshotter.stat("sha256:aaaa-active"));
        assertEquals(Optional.of(new SnapshotInfo("sha256:aaaa", SnapshotKind.COMMITTED, Optional.empty())),
                snapshotter.stat("sha256:aaaa"));
        List<Mount> child = snapshotter.prepare("child", "sha256:aaaa");
        assertEquals(Optional.of(new SnapshotInfo("child", SnapshotKind.ACTIVE, Optional.of("sha256:aaaa"))),
                snapshotter.stat("child"));
        assertEquals(child, snapshotter.mounts("child"));
    }

    @Test
    void parents_mustExistAndBeCommitted() throws Exception {
        snapshotter.prepare("active", null);
        SnapshotException notCommitted = assertThrows(SnapshotException.class,
                () -> snapshotter.prepare("child", "active"));
        assertTrue(notCommitted.getMessage().contains("only committed snapshots can be parents"),
                notCommitted.getMessage());
        SnapshotException missing = assertThrows(SnapshotException.class,
                () -> snapshotter.prepare("child", "nope"));
        assertTrue(missing.getMessage().contains("nope does not exist"), missing.getMessage());
        assertEquals(Optional.empty(), snapshotter.stat("child"), "a failed prepare leaves nothing");
    }

    @Test
    void keysAndNames_areUnique() throws Exception {
        layer("base", null);
        snapshotter.prepare("k", "base");
        assertThrows(SnapshotException.class, () -> snapshotter.prepare("k", "base"));
        assertThrows(SnapshotException.class, () -> snapshotter.view("k", "base"));
        assertThrows(SnapshotException.class, () -> snapshotter.commit("base", "k"));
        assertThrows(SnapshotException.class, () -> snapshotter.prepare("", null));
        assertThrows(SnapshotException.class, () -> snapshotter.prepare("x".repeat(121), null));
    }

    @Test
    void aKeyOfTheLongestAllowedLength_canBePreparedAndCommitted() throws Exception {
        String longest = "k".repeat(120);
        snapshotter.prepare(longest, null);
        snapshotter.commit("n".repeat(120), longest);
        assertEquals(SnapshotKind.COMMITTED, snapshotter.stat("n".repeat(120)).orElseThrow().kind(),
                "the record of a 120-byte key has a 245-character file name");
    }

    @Test
    void onlyActiveSnapshots_canBeCommitted_andCommittedOnesHaveNoMounts() throws Exception {
        layer("base", null);
        snapshotter.view("v", "base");
        assertThrows(SnapshotException.class, () -> snapshotter.commit("x", "v"));
        assertThrows(SnapshotException.class, () -> snapshotter.mounts("base"));
        assertThrows(SnapshotException.class, () -> snapshotter.mounts("missing"));
    }

    @Test
    void view_isReadOnly() throws Exception {
        layer("base", null, "a", "1");
        List<Mount> v = snapshotter.view("v", "base");
        assertTrue(v.get(0).readOnly());
        assertEquals(Optional.empty(), v.get(0).writableDir());
        assertEquals(SnapshotKind.VIEW, snapshotter.stat("v").orElseThrow().kind());
    }

    @Test
    void remove_refusesParentsOfOthers_andDeletesData() throws Exception {
        layer("base", null, "a", "1");
        List<Mount> child = snapshotter.prepare("child", "base");
        Path childDir = writable(child);
        SnapshotException e = assertThrows(SnapshotException.class, () -> snapshotter.remove("base"));
        assertTrue(e.getMessage().contains("parent of child"), e.getMessage());
        snapshotter.remove("child");
        assertFalse(Files.exists(childDir));
        snapshotter.remove("base");
        List<SnapshotInfo> all = new ArrayList<>();
        snapshotter.walk(all::add);
        assertEquals(List.of(), all);
        try (Stream<Path> dirs = Files.list(temp.resolve("store/snapshots"))) {
            assertEquals(0, dirs.count());
        }
    }

    @Test
    void aRemovedCommittedSnapshot_isGone_andItsNameCanBeCommittedAgain() throws Exception {
        layer("base", null, "a", "1");
        assertTrue(snapshotter.stat("base").isPresent());
        snapshotter.remove("base");
        assertTrue(snapshotter.stat("base").isEmpty());
        assertThrows(SnapshotException.class, () -> snapshotter.prepare("k", "base"));
        layer("base", null, "a", "2");
        List<Mount> child = snapshotter.prepare("child", "base");
        Path lowest = Path.of(child.get(0).layerDirs().get(child.get(0).layerDirs().size() - 1));
        assertEquals("2", Files.readString(lowest.resolve("a")));
    }

    @Test
    void aSnapshotCommittedByAnotherProcess_isSeenHere() throws Exception {
        LocalSnapshotter other = open(temp.resolve("store"));
        other.prepare("k", null);
        other.commit("made-elsewhere", "k");
        assertEquals(SnapshotKind.COMMITTED, snapshotter.stat("made-elsewhere").orElseThrow().kind());
        assertFalse(writable(snapshotter.prepare("child", "made-elsewhere")).toString().isEmpty());
    }

    @Test
    void walk_listsEverySnapshotWithItsKind() throws Exception {
        layer("base", null);
        snapshotter.prepare("a", "base");
        snapshotter.view("v", "base");
        Set<SnapshotInfo> all = new HashSet<>();
        snapshotter.walk(all::add);
        assertEquals(Set.of(new SnapshotInfo("base", SnapshotKind.COMMITTED, Optional.empty()),
                new SnapshotInfo("a", SnapshotKind.ACTIVE, Optional.of("base")),
                new SnapshotInfo("v", SnapshotKind.VIEW, Optional.of("base"))), all);
    }

    @Test
    void walkUncommitted_afterOpening_reportsWhatTheSweepFoundWithItsCurrentKind() throws Exception {
        layer("base", null);
        snapshotter.prepare("a-active", "base");
        snapshotter.prepare("b", "base");
        snapshotter.view("v", "base");
        leaveMarkerOfAKilledProcess();
        LocalSnapshotter reopened = open(temp.resolve("store"));
        snapshotter.commit("a", "a-active"); // by "another process" after the sweep: no longer uncommitted
        snapshotter.remove("v");
        snapshotter.prepare("late", "base"); // created after the sweep: left to the next check
        Set<SnapshotInfo> first = new HashSet<>();
        reopened.walkUncommitted(first::add);
        assertEquals(Set.of(new SnapshotInfo("b", SnapshotKind.ACTIVE, Optional.of("base"))), first);
        Set<SnapshotInfo> second = new HashSet<>();
        reopened.walkUncommitted(second::add);
        assertEquals(Set.of(new SnapshotInfo("b", SnapshotKind.ACTIVE, Optional.of("base")),
                new SnapshotInfo("late", SnapshotKind.ACTIVE, Optional.of("base"))), second, "later calls read all");
    }

    @Test
    void usage_countsTheSnapshotsOwnBytes() throws Exception {
        List<Mount> m = snapshotter.prepare("k", null);
        Files.write(writable(m).resolve("f"), new byte[1000]);
        Files.createLink(writable(m).resolve("hard"), writable(m).resolve("f"));
        Files.createDirectory(writable(m).resolve("d"));
        Usage usage = snapshotter.usage("k");
        assertEquals(1000, usage.size(), "a hard link is counted once");
        assertEquals(3, usage.inodes(), "root, d and f");
    }

    @Test
    void reopening_keepsSnapshots_andSweepsOrphans() throws Exception {
        layer("base", null, "a", "1");
        Path snapshots = temp.resolve("store/snapshots");
        Files.createDirectories(snapshots.resolve("new-77/fs"));
        Files.createDirectories(snapshots.resolve("55/fs"));
        Files.writeString(snapshots.resolve("55/fs/junk"), "crash leftovers");
        leaveMarkerOfAKilledProcess();
        LocalSnapshotter reopened = open(temp.resolve("store"));
        assertFalse(Files.exists(snapshots.resolve("new-77")));
        assertFalse(Files.exists(snapshots.resolve("55")));
        assertEquals(SnapshotKind.COMMITTED, reopened.stat("base").orElseThrow().kind());
        List<Mount> child = reopened.prepare("child", "base");
        assertTrue(Files.exists(Path.of(child.get(0).layerDirs().get(child.get(0).layerDirs().size() - 1), "a")));
    }

    @Test
    void damagedRecords_leftByAPowerLoss_neverBlockTheStore_andAreSweptWithTheirDirectories() throws Exception {
        layer("base", null, "a", "1");
        layer("top", "base", "b", "2");
        List<Mount> active = snapshotter.prepare("running-step", "top");
        Path activeDir = writable(active).getParent();
        Path metadata = temp.resolve("store/metadata");
        // An unsynced active record cut to zeroed blocks, and a committed parent's record garbled on disk.
        Files.write(recordFile("running-step"), new byte[48]);
        Files.writeString(recordFile("base"), "{\"name\":\"base\",\"ki");
        leaveMarkerOfAKilledProcess();
        // After the power loss no other process has the store open (see the next test for one that has).
        snapshotter.close();
        LocalSnapshotter reopened = open(temp.resolve("store"));
        assertEquals(Optional.empty(), reopened.stat("running-step"));
        assertEquals(Optional.empty(), reopened.stat("base"));
        assertFalse(Files.exists(activeDir), "the damaged active record's directory is swept");
        assertFalse(Files.exists(recordFile("running-step")));
        assertFalse(Files.exists(recordFile("base")));
        List<String> listed = new ArrayList<>();
        reopened.walk(info -> listed.add(info.name()));
        assertEquals(List.of("top"), listed);
        // The builder makes a missing snapshot again under its name, and what stood on it works again.
        List<Mount> again = reopened.prepare("base-again", null);
        Files.writeString(writable(again).resolve("a"), "1");
        reopened.commit("base", "base-again");
        List<Mount> child = reopened.prepare("child", "top");
        List<String> dirs = new ArrayList<>(child.get(0).layerDirs());
        dirs.add(writable(child).toString());
        assertTrue(dirs.stream().anyMatch(d -> Files.exists(Path.of(d, "a")))
                && dirs.stream().anyMatch(d -> Files.exists(Path.of(d, "b"))), dirs.toString());
        assertTrue(Files.isDirectory(metadata));
    }

    @Test
    void damagedParentRecord_whileAnotherProcessUsesTheStore_deletesNoData_keepsItsChildren_andDoctorReportsThem()
            throws Exception {
        layer("base", null, "a", "1");
        layer("top", "base", "b", "2");
        layer("leaf", "top", "c", "3");
        Path snapshots = temp.resolve("store/snapshots");
        List<Path> before;
        try (Stream<Path> dirs = Files.list(snapshots)) {
            before = dirs.sorted().toList();
        }
        // "base" garbled on disk while this instance (another process, for the one opening below) may have it
        // mounted under a running step: it read the record before the damage.
        Files.writeString(recordFile("base"), "{\"name\":\"base\",\"ki");
        leaveMarkerOfAKilledProcess();
        LocalSnapshotter reopened = open(temp.resolve("store"));
        try (Stream<Path> dirs = Files.list(snapshots)) {
            assertEquals(before, dirs.sorted().toList(), "no snapshot directory is deleted while another user lives");
        }
        assertTrue(Files.exists(recordFile("base")), "the damaged record waits for a sweep that runs alone");
        assertEquals(Optional.empty(), reopened.stat("base"));
        assertEquals(SnapshotKind.COMMITTED, reopened.stat("top").orElseThrow().kind());
        // The doctor tells what cannot be used, and why; a repair while another user lives removes nothing.
        List<UnusableSnapshot> found = reopened.unusable(true);
        assertEquals(List.of("leaf", "top"), found.stream().map(UnusableSnapshot::subject)
                .filter(n -> !n.endsWith(".json")).toList(), found.toString());
        assertTrue(found.stream().anyMatch(u -> u.subject().equals(recordFile("base").toString())
                && u.detail().startsWith("damaged snapshot record")), found.toString());
        assertTrue(found.stream().noneMatch(UnusableSnapshot::repaired), found.toString());
        assertTrue(found.stream().filter(u -> u.subject().equals("top")).allMatch(u -> u.detail()
                .contains("missing snapshot base")), found.toString());
        try (Stream<Path> dirs = Files.list(snapshots)) {
            assertEquals(before, dirs.sorted().toList());
        }

        // The builder makes the missing parent again under its name (LayerSnapshots.ensure): the children, kept,
        // work again, and nothing is unusable any more but the damaged file, which was replaced.
        List<Mount> again = reopened.prepare("base-again", null);
        Files.writeString(writable(again).resolve("a"), "1");
        reopened.commit("base", "base-again");
        List<Mount> onLeaf = reopened.prepare("on-leaf", "leaf");
        List<String> layers = new ArrayList<>(onLeaf.get(0).layerDirs());
        layers.add(writable(onLeaf).toString());
        for (String file : List.of("a", "b", "c")) {
            assertTrue(layers.stream().anyMatch(d -> Files.exists(Path.of(d, file))), file + " in " + layers);
        }
        reopened.remove("on-leaf");
        assertEquals(List.of(), reopened.unusable(false));

        // Alone, a repair removes what stands on a missing parent, children first.
        Files.writeString(recordFile("top"), "");
        snapshotter.close();
        List<UnusableSnapshot> repaired = reopened.unusable(true);
        assertEquals(List.of("leaf", recordFile("top").toString()), repaired.stream().map(UnusableSnapshot::subject)
                .toList(), repaired.toString());
        assertTrue(repaired.stream().allMatch(UnusableSnapshot::repaired), repaired.toString());
        assertEquals(Optional.empty(), reopened.stat("leaf"));
        assertFalse(Files.exists(recordFile("top")));
        assertEquals(SnapshotKind.COMMITTED, reopened.stat("base").orElseThrow().kind());
        assertEquals(List.of(), reopened.unusable(true));
        reopened.close();
    }

    private Path recordFile(String name) {
        return temp.resolve("store/metadata").resolve(java.util.HexFormat.of().formatHex(
                name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".json");
    }

    @Test
    void reopening_withoutAKilledProcessOrFlag_leavesTheStoreAlone_untilADayHasPassedSinceTheLastSweep()
            throws Exception {
        layer("base", null, "a", "1");
        Path snapshots = temp.resolve("store/snapshots");
        Files.createDirectories(snapshots.resolve("55/fs"));
        open(temp.resolve("store")).close();
        assertTrue(Files.exists(snapshots.resolve("55")), "no process died: nothing was swept");
        Files.setLastModifiedTime(temp.resolve("store/swept"),
                FileTime.fromMillis(System.currentTimeMillis() - 25L * 60 * 60 * 1000));
        open(temp.resolve("store")).close();
        assertFalse(Files.exists(snapshots.resolve("55")), "the daily sweep deletes what no marker told of");
    }

    @Test
    void closing_withUncommittedSnapshots_makesTheNextOpeningReportThem_andTheOneAfterItsRemovalClean()
            throws Exception {
        LocalSnapshotter first = open(temp.resolve("store"));
        first.prepare("left", null);
        first.prepare("done", null);
        first.commit("committed", "done");
        first.close();
        LocalSnapshotter second = open(temp.resolve("store"));
        Set<SnapshotInfo> found = new HashSet<>();
        second.walkUncommitted(found::add);
        assertEquals(Set.of(new SnapshotInfo("left", SnapshotKind.ACTIVE, Optional.empty())), found);
        second.remove("left");
        second.close();
        LocalSnapshotter third = open(temp.resolve("store"));
        assertFalse(Files.exists(temp.resolve("store/sweep-needed")), "a sweep that found nothing left clears it");
        Set<SnapshotInfo> none = new HashSet<>();
        third.walkUncommitted(none::add);
        assertEquals(Set.of(), none);
        third.close();
    }

    @Test
    void removingAnUncommittedSnapshot_deletesItsDirectory_andKeepsItsParent() throws Exception {
        layer("base", null, "a", "1");
        List<Mount> m = snapshotter.prepare("k", "base");
        Path dir = writable(m);
        snapshotter.remove("k");
        assertFalse(Files.exists(dir));
        assertEquals(Optional.empty(), snapshotter.stat("k"));
        assertEquals(SnapshotKind.COMMITTED, snapshotter.stat("base").orElseThrow().kind());
    }

    @Test
    void concurrentPrepares_getDistinctDirectories() throws Exception {
        layer("base", null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Mount>>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String key = "k" + i;
                futures.add(pool.submit(() -> snapshotter.prepare(key, "base")));
            }
            Set<String> dirs = Collections.synchronizedSet(new HashSet<>());
            for (Future<List<Mount>> f : futures) {
                dirs.add(f.get().get(0).writableDir().orElseThrow());
            }
            assertEquals(16, dirs.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoProcessesOnOneStore_neverShareADirectory() throws Exception {
        // A second snapshotter on the same root stands for another wharf process: each creates snapshots after
        // the other opened the store, and no two snapshots may get the same directory.
        layer("base", null);
        LocalSnapshotter other = open(temp.resolve("store"));
        Set<String> dirs = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            LocalSnapshotter creator = i % 2 == 0 ? snapshotter : other;
            dirs.add(writable(creator.prepare("k" + i, "base")).toString());
            creator.commit("c" + i, "k" + i);
            dirs.add(writable(creator.prepare("k" + i + "-next", "c" + i)).toString());
        }
        assertEquals(8, dirs.size(), dirs.toString());
    }

    @Test
    void aRecordWhoseDirectoryWasDeleted_keepsItsIdFromNewSnapshots() throws Exception {
        layer("base", null, "a", "1");
        Path baseDir;
        try (Stream<Path> dirs = Files.list(temp.resolve("store/snapshots"))) {
            baseDir = dirs.findFirst().orElseThrow(); // the only snapshot directory
        }
        dev.wharf.layers.layout.FileTrees.delete(baseDir);
        LocalSnapshotter reopened = open(temp.resolve("store"));
        Path fresh = writable(reopened.prepare("k", null)).getParent();
        assertFalse(fresh.equals(baseDir), "the new snapshot reused the directory of the record of base");
    }

    @Test
    void changes_reportAddedAndModifiedFiles() throws Exception {
        layer("base", null, "etc/keep", "same", "etc/edit", "before");
        List<Mount> m = snapshotter.prepare("k", "base");
        Path w = writable(m);
        Files.createDirectories(w.resolve("etc"));
        Files.writeString(w.resolve("etc/edit"), "after, longer");
        Files.createDirectories(w.resolve("new/dir"));
        Files.writeString(w.resolve("new/dir/file"), "x");
        List<String> changes = snapshotter.changes("k").stream()
                .map(c -> c.kind() + " " + c.path()).toList();
        assertTrue(changes.contains("MODIFY /etc/edit"), changes.toString());
        assertTrue(changes.contains("ADD /new"), changes.toString());
        assertTrue(changes.contains("ADD /new/dir"), changes.toString());
        assertTrue(changes.contains("ADD /new/dir/file"), changes.toString());
        assertFalse(changes.contains("MODIFY /etc/keep"), changes.toString());
        assertTrue(changes.indexOf("ADD /new") < changes.indexOf("ADD /new/dir/file"), "parents first");
        assertThrows(SnapshotException.class, () -> snapshotter.changes("base"));
    }
}
