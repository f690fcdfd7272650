package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.snapshot.RootView;
import dev.wharf.layers.posix.PosixFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FileWriter writes into the upper directory of a two-layer view, as BuildKit's file operations would. */
class FileWriterTest {
    @TempDir
    Path temp;

    private FileWriter writer(Path upper, Path lower) throws Exception {
        return new FileWriter(upper, RootView.ofLayers(List.of(upper, lower)), PosixFiles.system(),
                (int) ProcessHandleUid.current(), (int) ProcessHandleUid.currentGid(), false,
                1_700_000_000_000_000_000L, 0755);
    }

    @Test
    void workdirOfAnExistingDirectory_writesNothing() throws Exception {
        Path lower = Files.createDirectories(temp.resolve("lower/a/b/c"));
        Files.createDirectories(temp.resolve("lower/etc"));
        Path upper = Files.createDirectories(temp.resolve("upper"));
        FileWriter w = writer(upper, temp.resolve("lower"));
        w.workdir("/a/b/c");
        w.workdir("/etc");
        w.finish();
        try (Stream<Path> files = Files.list(upper)) {
            assertEquals(List.of(), files.toList(), "BuildKit's MkdirAll leaves existing directories alone");
        }
        assertTrue(Files.isDirectory(lower));
    }

    @Test
    void workdirBelowAnExistingDirectory_createsOnlyWhatIsMissing() throws Exception {
        Files.createDirectories(temp.resolve("lower/a"));
        Path upper = Files.createDirectories(temp.resolve("upper"));
        FileWriter w = writer(upper, temp.resolve("lower"));
        w.workdir("/a/new/deeper");
        w.workdir("/a/./x/../y");
        w.finish();
        assertTrue(Files.isDirectory(upper.resolve("a/new/deeper")));
        assertTrue(Files.isDirectory(upper.resolve("a/y")));
        assertTrue(Files.notExists(upper.resolve("a/x")), "the path is cleaned before it is made");
    }

    @Test
    void copyRoot_keepsOrMakesTheDestinationsOwnerAndMode_andTakesTheSourcesTime() throws Exception {
        Path lower = Files.createDirectories(temp.resolve("lower/etc"));
        Files.setAttribute(lower, "unix:mode", 0750);
        Path upper = Files.createDirectories(temp.resolve("upper"));
        FileWriter w = new FileWriter(upper, RootView.ofLayers(List.of(upper, temp.resolve("lower"))),
                PosixFiles.system(), (int) ProcessHandleUid.current(), (int) ProcessHandleUid.currentGid(), false,
                1_700_000_000_000_000_000L, 0700);
        w.copyRoot("/etc", 1_200_000_000_000_000_000L);
        w.copyRoot("/new/root", 1_100_000_000_000_000_000L);
        Files.writeString(upper.resolve("etc/written-into"), "x");
        w.finish();
        // fsutil copies no file info onto the root but gives it the source directory's time (restoreFileTimestamp),
        // so an existing destination is copied up with its own mode and owner.
        assertEquals(0750, (Integer) Files.getAttribute(upper.resolve("etc"), "unix:mode") & 07777);
        assertEquals(1_200_000_000L, Files.getLastModifiedTime(upper.resolve("etc")).toMillis() / 1000);
        assertEquals(0700, (Integer) Files.getAttribute(upper.resolve("new/root"), "unix:mode") & 07777);
        assertEquals(0700, (Integer) Files.getAttribute(upper.resolve("new"), "unix:mode") & 07777);
        assertEquals(1_100_000_000L, Files.getLastModifiedTime(upper.resolve("new/root")).toMillis() / 1000);
        assertEquals(1_700_000_000L, Files.getLastModifiedTime(upper.resolve("new")).toMillis() / 1000);
    }

    @Test
    void lowerDirectoriesWrittenInto_takeTheStepsTime_thosePassedThroughKeepTheirs() throws Exception {
        // As the peer (dockerd 26, BuildKit 0.13) writes them: COPY f /etc/ and COPY f /etc/passwd (an existing
        // file) date etc/ to the step, COPY f /tmp/x/y/f dates tmp/ (x made in it), WORKDIR /home/w dates home/,
        // COPY f /opt/k/l/ dates only l/ (opt/ and k/ are only passed through); ADD of an archive dates the
        // destination it unpacks into.
        Path lower = temp.resolve("lower");
        for (String dir : List.of("etc", "tmp", "home", "opt/k/l", "srv")) {
            Files.createDirectories(lower.resolve(dir));
        }
        Files.writeString(lower.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        for (String dir : List.of("etc", "tmp", "home", "opt", "opt/k", "opt/k/l", "srv")) {
            Files.setLastModifiedTime(lower.resolve(dir), java.nio.file.attribute.FileTime.fromMillis(0));
        }
        Path upper = Files.createDirectories(temp.resolve("upper"));
        FileWriter w = writer(upper, lower);
        FileWriter.Attributes file = new FileWriter.Attributes((int) ProcessHandleUid.current(),
                (int) ProcessHandleUid.currentGid(), 0644, 1_100_000_000_000_000_000L);
        w.writeFile(new byte[] {'a'}, w.prepare("/etc/passwd"), file);
        w.writeFile(new byte[] {'a'}, w.prepare("/tmp/x/y/f"), file);
        w.workdir("/home/w");
        w.writeFile(new byte[] {'a'}, w.prepare("/opt/k/l/f"), file);
        w.archiveDirectory("/srv", List.of());
        w.finish();
        for (String touched : List.of("etc", "tmp", "home", "opt/k/l", "srv", "tmp/x", "home/w")) {
            assertEquals(1_700_000_000L, Files.getLastModifiedTime(upper.resolve(touched)).toMillis() / 1000,
                    touched);
        }
        for (String passed : List.of("opt", "opt/k")) {
            assertEquals(0L, Files.getLastModifiedTime(upper.resolve(passed)).toMillis(), passed);
        }
        assertEquals(1_100_000_000L, Files.getLastModifiedTime(upper.resolve("etc/passwd")).toMillis() / 1000);
    }

    @Test
    void aFileInThePath_failsLikeFsutilsMkdirAll_insteadOfBeingReplacedByADirectory() throws Exception {
        Files.createDirectories(temp.resolve("lower/etc"));
        Files.writeString(temp.resolve("lower/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        Path upper = Files.createDirectories(temp.resolve("upper"));
        FileWriter w = writer(upper, temp.resolve("lower"));
        for (org.junit.jupiter.api.function.Executable write : List.<org.junit.jupiter.api.function.Executable>of(
                () -> w.workdir("/etc/passwd"), () -> w.prepare("/etc/passwd/x"), () -> w.prepare("/etc/passwd/a/b"))) {
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, write);
            assertEquals("mkdir /etc/passwd: not a directory", e.getMessage());
        }
        // A WORKDIR below the file fails as BuildKit resolves its path (buildx 0.13.1: "lstat /f/sub: not a
        // directory"), naming the path down to the component under the file.
        for (String below : List.of("/etc/passwd/sub", "/etc/passwd/sub/deeper")) {
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> w.workdir(below));
            assertEquals("lstat /etc/passwd/sub: not a directory", e.getMessage());
        }
        assertTrue(Files.notExists(upper.resolve("etc/passwd")), "the file is not replaced");
    }

    @Test
    void topLevelDirectories_doNotInheritASetgidStoreDirectory() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ProcessHandleUid.current() == 0,
                "needs root to give the store directory a group of its own");
        // A store kept under a group-shared (set-group-ID) directory gives the snapshot's upper directory the bit
        // and the host's group; the image's / is what a top-level WORKDIR or COPY destination is made in.
        Files.createDirectories(temp.resolve("lower"));
        for (boolean scratch : List.of(false, true)) {
            Path upper = Files.createDirectories(temp.resolve(scratch ? "upper-scratch" : "upper"));
            Files.setAttribute(upper, "unix:gid", 50);
            Files.setAttribute(upper, "unix:mode", 02775);
            RootView view = RootView.ofLayers(scratch ? List.of(upper) : List.of(upper, temp.resolve("lower")));
            FileWriter w = new FileWriter(upper, view, PosixFiles.system(), 0, 0, false, 1L, 0755);
            w.workdir("/app/sub");
            w.copyRoot("/data", 1L);
            for (String dir : List.of("app", "app/sub", "data")) {
                assertEquals("0755 0:0", modeAndOwner(upper.resolve(dir)), (scratch ? "scratch: " : "") + dir);
            }
        }
    }

    @Test
    void directoriesMadeInASetgidDirectory_keepTheBit_andItsGroupUnlessAnOwnerIsGiven() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ProcessHandleUid.current() == 0,
                "needs root to give the directories groups of their own");
        // What the BuildKit peer builds from `RUN mkdir /srv/shared && chgrp 50 /srv/shared && chmod 2775
        // /srv/shared`: WORKDIR, COPY destinations and their parents, --chmod's and ADD's made 02755 (02700) and
        // group 50 when nothing is chowned, the given owner's group with --chown or USER; a copied directory keeps
        // its own mode.
        Path shared = Files.createDirectories(temp.resolve("lower/srv/shared"));
        Files.setAttribute(shared, "unix:gid", 50);
        Files.setAttribute(shared, "unix:mode", 02775);
        Files.setAttribute(Files.createDirectories(temp.resolve("lower/srv/plain")), "unix:gid", 50);
        Path upper = Files.createDirectories(temp.resolve("upper"));
        RootView view = RootView.ofLayers(List.of(upper, temp.resolve("lower")));
        FileWriter unowned = new FileWriter(upper, view, PosixFiles.system(), 0, 0, false, 1L, 0755);
        unowned.workdir("/srv/shared/wd/deep");
        unowned.prepare("/srv/shared/copied/sub/f");
        unowned.copyRoot("/srv/shared/dcopy", 1L);
        unowned.directory(upper.resolve("srv/shared/dcopy/sub"), new FileWriter.Attributes(0, 0, 0755, 1L));
        unowned.archiveDirectory("/srv/shared/archive", List.of("x"));
        new FileWriter(upper, view, PosixFiles.system(), 0, 0, false, 1L, 0700).copyRoot("/srv/shared/chmodded", 1L);
        FileWriter owned = new FileWriter(upper, view, PosixFiles.system(), 9, 10, true, 1L, 0755);
        owned.workdir("/srv/shared/userwd");
        owned.prepare("/srv/shared/chowned/x/f");
        owned.workdir("/srv/plain/userwd");
        for (String dir : List.of("srv/shared/wd", "srv/shared/wd/deep", "srv/shared/copied",
                "srv/shared/copied/sub", "srv/shared/dcopy")) {
            assertEquals("02755 0:50", modeAndOwner(upper.resolve(dir)), dir);
        }
        assertEquals("0755 0:0", modeAndOwner(upper.resolve("srv/shared/dcopy/sub")), "copied: its own mode");
        assertEquals("02755 0:0", modeAndOwner(upper.resolve("srv/shared/archive/x")), "go-archive chowns to root");
        assertEquals("02700 0:50", modeAndOwner(upper.resolve("srv/shared/chmodded")));
        assertEquals("02755 9:10", modeAndOwner(upper.resolve("srv/shared/userwd")));
        assertEquals("02755 9:10", modeAndOwner(upper.resolve("srv/shared/chowned/x")));
        assertEquals("0755 9:10", modeAndOwner(upper.resolve("srv/plain/userwd")), "no set-group-ID bit above it");
    }

    private static String modeAndOwner(Path p) throws Exception {
        java.util.Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid");
        return "0" + Integer.toOctalString((Integer) a.get("mode") & 07777) + " " + a.get("uid") + ":" + a.get("gid");
    }

    /** The ids of this process, so the test also runs without root. */
    private static final class ProcessHandleUid {
        static long current() throws Exception {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        }

        static long currentGid() throws Exception {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
        }
    }
}
