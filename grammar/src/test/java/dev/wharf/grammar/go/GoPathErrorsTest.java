package dev.wharf.grammar.go;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoPathErrorsTest {
    @TempDir
    Path temp;

    @Test
    void realFileErrors_readAsGosPathErrors() throws Exception {
        IOException missing = assertThrows(IOException.class, () -> Files.readString(temp.resolve("nope")));
        assertEquals("open nope: no such file or directory", GoPathErrors.message("open", "nope", missing));
        IOException dir = assertThrows(IOException.class, () -> Files.readString(temp));
        assertEquals("read d: is a directory", GoPathErrors.message("read", "d", dir));
        Files.writeString(temp.resolve("f"), "x");
        IOException notDir = assertThrows(IOException.class, () -> Files.readString(temp.resolve("f/x")));
        assertEquals("not a directory", GoPathErrors.reason(notDir));
        Files.createDirectories(temp.resolve("full/sub"));
        IOException notEmpty = assertThrows(IOException.class, () -> Files.delete(temp.resolve("full")));
        assertEquals("remove full: directory not empty", GoPathErrors.message("remove", "full", notEmpty));
    }

    @Test
    void accessDenied_isPermissionDenied_andOtherErrorsKeepTheirMessage() {
        assertEquals("permission denied", GoPathErrors.reason(new java.nio.file.AccessDeniedException("/x")));
        assertEquals("disk on fire", GoPathErrors.reason(new IOException("disk on fire")));
        assertEquals("IOException", GoPathErrors.reason(new IOException()));
    }
}
