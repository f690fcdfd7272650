package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep of dead runs' state directories, on real directories and OS locks. */
class StateDirsTest {
    private static final String CUT_SHORT = "wharf-0123456789abcdef01234567";
    private static final String DEAD = "wharf-89abcdef0123456789abcdef";

    @TempDir
    Path root;

    @Test
    void runIds_beginWithTheOwnersPidAndPidNamespace_soThatTheirCgroupsAreSweptByOwner() throws Exception {
        try (StateDirs.Held run = new StateDirs(root).create()) {
            assertTrue(run.id().matches("wharf-[0-9a-f]{32}"), run.id());
            assertEquals(java.util.Optional.of(new RunId.Owner(ProcessHandle.current().pid(),
                    java.util.OptionalLong.of(RunOwners.current().orElse(0)))), RunId.owner(run.id()));
        }
        String made = RunId.create(0x1234, 4026531836L, new java.util.Random(1));
        assertEquals(java.util.Optional.of(new RunId.Owner(0x1234, java.util.OptionalLong.of(4026531836L))),
                RunId.owner(made));
        // The previous wharf's ids (pid, random, check) name the pid alone; an older one's are all random: no pid
        // is read into them (its live runs' cgroups are left alone).
        String pidOnly = "wharf-00001234" + "89abcdef";
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(pidOnly.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(java.util.Optional.of(new RunId.Owner(0x1234, java.util.OptionalLong.empty())),
                RunId.owner(pidOnly + String.format("%08x", crc.getValue())));
        assertEquals(java.util.Optional.empty(), RunId.owner(CUT_SHORT));
        assertEquals(java.util.Optional.empty(), RunId.owner(made.substring(0, made.length() - 1)
                + (made.endsWith("0") ? "1" : "0")));
        assertEquals(java.util.Optional.empty(), RunId.owner("floor"));
    }

    @Test
    void sweep_deletesARunWhoseDeletionWasCutShortAfterItsLockFileWent() throws Exception {
        // What a JVM killed in the middle of deleting a run directory leaves: the lock file already unlinked (a
        // directory's entries go in no particular order), the bundle's other files and the rootfs still there.
        Path run = Files.createDirectories(root.resolve(CUT_SHORT).resolve("rootfs"));
        Files.writeString(root.resolve(CUT_SHORT).resolve("config.json"), "{}");
        Files.writeString(root.resolve(CUT_SHORT).resolve("ready"), "");

        assertEquals(List.of(CUT_SHORT), new StateDirs(root).sweep());
        assertFalse(Files.exists(run.getParent()), "a run directory without a lock file is dead");
    }

    @Test
    void sweep_deletesRunsWhoseLockIsFree_andKeepsTheRunsOfLiveOwners() throws Exception {
        Files.createDirectories(root.resolve(DEAD).resolve("rootfs"));
        try (FileChannel unlocked = FileChannel.open(root.resolve(DEAD).resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            assertTrue(unlocked.isOpen());
        }
        StateDirs dirs = new StateDirs(root);
        try (StateDirs.Held live = dirs.create()) {
            assertEquals(List.of(DEAD), new StateDirs(root).sweep());
            assertFalse(Files.exists(root.resolve(DEAD)));
            assertTrue(Files.isDirectory(live.dir()), "the live run is kept");
            assertEquals(List.of(), new StateDirs(root).sweep());
        }
        try (var left = Files.list(root)) {
            assertEquals(List.of(), left.toList(), "a closed run leaves nothing");
        }
    }

    @Test
    void sweep_deletesStagingDirectoriesOlderThanTheGrace_andKeepsFreshOnes() throws Exception {
        // A JVM killed inside create() leaves .new-<id>, locked by nobody; a live create() holds one for an instant.
        Path old = Files.createDirectories(root.resolve(".new-" + DEAD));
        Files.writeString(old.resolve(".lock"), "");
        Files.setLastModifiedTime(old, FileTime.fromMillis(System.currentTimeMillis()
                - StateDirs.STAGING_GRACE.toMillis() - 1_000));
        Path fresh = Files.createDirectories(root.resolve(".new-" + CUT_SHORT));

        assertEquals(List.of(), new StateDirs(root).sweep(), "staging directories are not runs");
        assertFalse(Files.exists(old), "a staging directory older than the grace is a killed create's leftover");
        assertTrue(Files.isDirectory(fresh), "a fresh one may belong to a create() in progress");
    }
}
