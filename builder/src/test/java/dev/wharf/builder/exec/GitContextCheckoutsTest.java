package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.testing.GitDaemon;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.context.sources.GitRemote;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GitContextCheckouts} on a real git daemon and a real store directory. */
class GitContextCheckoutsTest {
    @TempDir
    Path temp;

    @Test
    void aStoredCheckoutWhoseTimeCannotBeSet_isStillReused() throws Exception {
        // Setting explicit times takes the owner (utimensat): a user of a group-shared store cannot mark another
        // user's checkout used. That only costs its place in prune's order; it must not make the build clone and
        // then fail on the rename into the name the stored checkout holds.
        HostRequirements.requireRoot();
        Path chattr = HostRequirements.requireTool("chattr", "e2fsprogs");
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("repo", Map.of("app/v.txt", "one"), "");
            GitRemote remote = GitRemote.parse(git.url("repo") + "#main:app");
            GitContextCheckouts checkouts = new GitContextCheckouts(temp.resolve("git-contexts"));
            Path first = checkouts.open(remote, false, temp, java.util.Optional.empty()).root();
            Path entry;
            try (var entries = Files.list(temp.resolve("git-contexts"))) {
                entry = entries.findFirst().orElseThrow();
            }
            long fetches = git.uploadPacks();
            run(chattr.toString(), "+i", entry.toString()); // its times can no longer be set, even by root
            try {
                Path again = checkouts.open(remote, false, temp, java.util.Optional.empty()).root();
                assertEquals(first, again, "the stored checkout");
                assertEquals("one", Files.readString(again.resolve("v.txt")));
                assertEquals(1, git.uploadPacks() - fetches, "only the refs listed, no clone");
            } finally {
                run(chattr.toString(), "-i", entry.toString());
            }
            try (var entries = Files.list(temp.resolve("git-contexts"))) {
                assertEquals(List.of(entry), entries.toList(), "no temporary left");
            }
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", command));
    }
}
