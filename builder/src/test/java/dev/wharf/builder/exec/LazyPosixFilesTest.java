package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    }
}
