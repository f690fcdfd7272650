package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies of the context that RUN bind mounts get ({@link CopySources#copyTree}). */
class CopySourcesTreeTest {
    @TempDir
    Path temp;

    @Test
    void copyTree_stopsWhenTheBuildIsCancelled_insteadOfCopyingTheWholeContextFirst() throws Exception {
        Path context = Files.createDirectories(temp.resolve("ctx/dir"));
        for (int i = 0; i < 50; i++) {
            Files.writeString(context.resolve("f" + i), "content " + i);
        }
        CopySources sources = CopySources.context(temp.resolve("ctx"), false, Optional.empty(), Clock.systemUTC());
        sources.followLinks("");
        Thread.currentThread().interrupt();
        try {
            // The cancel interrupts the step's thread; cancelledBy reads an InterruptedIOException as the cancel.
            assertThrows(InterruptedIOException.class, () -> sources.copyTree("", temp.resolve("copy")));
        } finally {
            Thread.interrupted();
        }
        assertFalse(Files.exists(temp.resolve("copy/f49")), "no file copied after the cancel");
    }
}
