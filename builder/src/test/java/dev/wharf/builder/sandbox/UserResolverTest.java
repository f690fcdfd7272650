package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.RootView;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserResolverTest {
    @TempDir
    Path root;
    RootView view;
    final UserResolver resolver = new UserResolver();

    @BeforeEach
    void image() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "  \n"
                + "app:x:1000:1001:app:/home/app:/bin/sh\n"
                + "daemon:x:2:2::/:/usr/sbin/nologin\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n"
                + "appgrp:x:1001:\n"
                + "audio:x:29:app,other\n"
                + "video:x:44:app\n"
                + "wheel:x:10:root\n"
                + "dup:x:29:\n");
        view = RootView.ofDirectory(root);
    }

    @Test
    void name_givesPasswdIdsAndEveryGroupListingTheUser() throws Exception {
        assertEquals(new ProcessUser(1000, 1001, List.of(29L, 44L)), resolver.resolve("app", view));
    }

    @Test
    void numericUidWithAnEntry_getsTheEntrysGroups() throws Exception {
        assertEquals(new ProcessUser(1000, 1001, List.of(29L, 44L)), resolver.resolve("1000", view));
    }

    @Test
    void numericUidWithoutAnEntry_runsWithGidZero() throws Exception {
        assertEquals(new ProcessUser(4242, 0, List.of()), resolver.resolve("4242", view));
    }

    @Test
    void uidColonGid_bothNumeric_isTakenAsIsWithoutGroups() throws Exception {
        assertEquals(new ProcessUser(1000, 5, List.of()), resolver.resolve("1000:5", view));
        assertEquals(new ProcessUser(0, 0, List.of()), resolver.resolve("root:root", view));
    }

    @Test
    void explicitGroup_byNameOrGid_replacesThePrimaryAndDropsSupplementaryGroups() throws Exception {
        assertEquals(new ProcessUser(1000, 44, List.of()), resolver.resolve("app:video", view));
        assertEquals(new ProcessUser(1000, 29, List.of()), resolver.resolve("app:29", view));
        assertEquals(new ProcessUser(1000, 777, List.of()), resolver.resolve("app:777", view));
    }

    @Test
    void root_getsItsListedGroups() throws Exception {
        assertEquals(new ProcessUser(0, 0, List.of(10L)), resolver.resolve("root", view));
        assertEquals(new ProcessUser(0, 0, List.of(10L)), resolver.resolve("", view));
    }

    @Test
    void unknownNames_failWithBuildKitsMessages() {
        SandboxException user = assertThrows(SandboxException.class, () -> resolver.resolve("nobody", view));
        assertEquals("unable to find user nobody: no matching entries in passwd file", user.getMessage());
        SandboxException group = assertThrows(SandboxException.class, () -> resolver.resolve("app:nogroup", view));
        assertEquals("unable to find group nogroup: no matching entries in group file", group.getMessage());
    }

    @Test
    void withoutPasswdOrGroupFiles_numericIdsStillWork() throws Exception {
        Files.delete(root.resolve("etc/passwd"));
        Files.delete(root.resolve("etc/group"));
        assertEquals(new ProcessUser(1000, 0, List.of()), resolver.resolve("1000", view));
        assertEquals(ProcessUser.ROOT, resolver.resolve("", view));
        assertThrows(SandboxException.class, () -> resolver.resolve("app", view));
    }

    @Test
    void passwdSymlinkedOutOfTheRoot_isReadInsideTheRoot() throws Exception {
        Path outside = Files.createTempFile("passwd", "");
        try {
            Files.writeString(outside, "app:x:9999:9999::/:/bin/sh\n");
            Files.delete(root.resolve("etc/passwd"));
            Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("../../../../../..").resolve(
                    outside.toString().substring(1)));
            // The link resolves inside the root, where there is no such file: no user "app" from the host.
            assertThrows(SandboxException.class, () -> resolver.resolve("app", view));
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void hugePasswd_isRejected() throws Exception {
        Files.write(root.resolve("etc/passwd"), new byte[(10 << 20) + 1]);
        SandboxException e = assertThrows(SandboxException.class, () -> resolver.resolve("app", view));
        assertEquals("\"/etc/passwd\" exceeds 10485760 bytes", e.getMessage());
    }

    @Test
    void fileOwner_numericUserAlone_isThatUidAndTheSameGid_evenWithAPasswdEntry() throws Exception {
        // BuildKit's readUser (UserOpt_ByID): --chown=4321 owns files by 4321:4321; 1000 is 1000:1000, not 1000:1001.
        assertEquals(new ProcessUser(4321, 4321, List.of()), resolver.resolveFileOwner("4321", view));
        assertEquals(new ProcessUser(1000, 1000, List.of()), resolver.resolveFileOwner("1000", view));
        assertEquals(new ProcessUser(0, 0, List.of()), resolver.resolveFileOwner("root", view));
    }

    @Test
    void fileOwner_namesComeFromPasswdAndGroup_andAnUnknownNameIsZero() throws Exception {
        assertEquals(new ProcessUser(1000, 1001, List.of()), resolver.resolveFileOwner("app", view));
        assertEquals(new ProcessUser(1000, 44, List.of()), resolver.resolveFileOwner("app:video", view));
        assertEquals(new ProcessUser(7, 29, List.of()), resolver.resolveFileOwner("7:audio", view));
        assertEquals(new ProcessUser(1000, 12, List.of()), resolver.resolveFileOwner("app:12", view));
        assertEquals(new ProcessUser(0, 0, List.of()), resolver.resolveFileOwner("nobody-here:nogroup", view));
        // A group that is not found leaves the user's primary gid.
        assertEquals(new ProcessUser(2, 2, List.of()), resolver.resolveFileOwner("daemon:missing", view));
    }

    @Test
    void fileOwner_readsNumbersAsSigned32BitAndEmptyPartsAsZero_asLlbWithUser() throws Exception {
        // llb.WithUser parses with strconv.ParseInt(s, 10, 32) and marshals a missing name as id 0 (client/llb/fileop.go).
        assertEquals(new ProcessUser(7, 0, List.of()), resolver.resolveFileOwner("7:", view));
        assertEquals(new ProcessUser(0, 5, List.of()), resolver.resolveFileOwner(":5", view));
        assertEquals(new ProcessUser(5, 10, List.of()), resolver.resolveFileOwner("+5:0010", view));
        assertEquals(new ProcessUser(4294967295L, 4294967295L, List.of()), resolver.resolveFileOwner("-1", view));
        assertEquals(new ProcessUser(2147483647, 1, List.of()), resolver.resolveFileOwner("2147483647:1", view));
        // Outside the signed range it is a name, and no passwd entry has it.
        assertEquals(new ProcessUser(0, 1, List.of()), resolver.resolveFileOwner("4294967294:1", view));
        assertEquals(new ProcessUser(0, 0, List.of()), resolver.resolveFileOwner("2147483648", view));
        // A sign alone is a name: not found, so the user's primary gid stays.
        assertEquals(new ProcessUser(1000, 1001, List.of()), resolver.resolveFileOwner("app:-", view));
    }

    @Test
    void fileOwner_passwdAndGroupIdsBeyondTheSigned32BitRange_areThoseIds() throws Exception {
        // moby/sys/user parses the fields with strconv.Atoi into a 64-bit int; the chown takes it as a 32-bit id.
        Files.writeString(root.resolve("etc/passwd"), "nfsnobody:x:4294967294:4294967294::/:/sbin/nologin\n"
                + "neg:x:-2:-3::/:/bin/sh\nbad:x:12a:x::/:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "nfsnobody:x:4294967294:\nwide:x:3000000000:\n");
        assertEquals(new ProcessUser(4294967294L, 4294967294L, List.of()),
                resolver.resolveFileOwner("nfsnobody", view));
        assertEquals(new ProcessUser(4294967294L, 3000000000L, List.of()),
                resolver.resolveFileOwner("nfsnobody:wide", view));
        assertEquals(new ProcessUser(4294967294L, 4294967293L, List.of()), resolver.resolveFileOwner("neg", view));
        assertEquals(new ProcessUser(0, 0, List.of()), resolver.resolveFileOwner("bad", view));
    }
}
