package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.layers.posix.NewFile;
import dev.wharf.layers.posix.PosixFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LazyPosixFilesTest {
    @TempDir
    Path tmp;

    @Test
    void answersAsTheNativeBindingDoes() throws Exception {
        PosixFiles lazy = new LazyPosixFiles();
        PosixFiles system = PosixFiles.system();
        assertEquals(system.effectiveUid(), lazy.effectiveUid());
        Path file = Files.writeString(tmp.resolve("f"), "x");
        assertEquals(system.lstat(file), lazy.lstat(file));
        lazy.setXattr(file, "user.wharf", new byte[] {1, 2});
        assertEquals(system.listXattrs(file), lazy.listXattrs(file));
        // createFile is delegated too (the layer applier writes files through it), not the interface's default.
        Path created = tmp.resolve("created");
        try (NewFile f = lazy.createFile(created, 0600)) {
            f.write(new byte[] {'o', 'k'}, 0, 2);
            f.chmod(0640);
        }
        assertEquals("ok", Files.readString(created));
        assertEquals(0640, (int) Files.getAttribute(created, "unix:mode") & 07777);
    }
}
