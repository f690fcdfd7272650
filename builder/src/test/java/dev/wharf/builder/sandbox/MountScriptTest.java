package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.snapshot.Mount;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountScriptTest {
    private static Mount overlay(int layers, String root) {
        List<String> lowers = new ArrayList<>();
        for (int i = layers; i >= 1; i--) {
            lowers.add(root + "/snapshots/" + i + "/fs");
        }
        return new Mount("overlay", "overlay", List.of("workdir=" + root + "/snapshots/999/work",
                "upperdir=" + root + "/snapshots/999/fs", "lowerdir=" + String.join(":", lowers)));
    }

    @Test
    void shortOverlay_isMountedWithAbsolutePaths() throws Exception {
        List<String> lines = MountScript.mountRootfs(List.of(overlay(2, "/var/lib/wharf")));
        assertEquals(List.of("mount -t overlay -o 'workdir=/var/lib/wharf/snapshots/999/work,"
                + "upperdir=/var/lib/wharf/snapshots/999/fs,lowerdir=/var/lib/wharf/snapshots/2/fs:"
                + "/var/lib/wharf/snapshots/1/fs' overlay \"$R\""), lines);
    }

    @Test
    void deepOverlay_isMountedFromTheCommonParentWithRelativePaths() throws Exception {
        String root = "/var/lib/wharf/a/rather/long/store/path/to/make/options/long";
        List<String> lines = MountScript.mountRootfs(List.of(overlay(200, root)));
        assertEquals(1, lines.size());
        String line = lines.get(0);
        assertTrue(line.startsWith("(cd '" + root + "/snapshots' && mount -t overlay -o 'workdir=999/work,"
                + "upperdir=999/fs,lowerdir=200/fs:199/fs:"), line);
        assertTrue(line.endsWith(":1/fs' overlay \"$R\")"), line);
    }

    @Test
    void tooDeepEvenWhenRelative_failsWithAMessage() {
        SandboxException e = assertThrows(SandboxException.class,
                () -> MountScript.mountRootfs(List.of(overlay(900, "/s"))));
        assertTrue(e.getMessage().contains("too many layers"), e.getMessage());
    }

    @Test
    void bindRoots_areRemountedReadOnlyWhenAsked() throws Exception {
        assertEquals(List.of("mount --rbind '/s/1/fs' \"$R\"", "mount -o remount,bind,ro \"$R\""),
                MountScript.mountRootfs(List.of(Mount.bind("/s/1/fs", true))));
        assertEquals(List.of("mount --rbind '/s/it'\\''s' \"$R\""),
                MountScript.mountRootfs(List.of(Mount.bind("/s/it's", false))));
    }
}
