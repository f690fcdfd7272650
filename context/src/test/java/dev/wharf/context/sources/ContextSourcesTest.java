package dev.wharf.context.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ContextException;
import dev.wharf.layers.posix.PosixFiles;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextSourcesTest {

    @TempDir
    Path tmp;

    private BuildContextSource of(String arg) throws Exception {
        return ContextSources.forArgument(arg, new ByteArrayInputStream(new byte[0]), tmp.resolve("work"),
                PosixFiles.system());
    }

    @Test
    void dash_isStdin() throws Exception {
        TarContextSource s = assertInstanceOf(TarContextSource.class, of("-"));
        assertTrue(s.dockerfileFallback());
    }

    @Test
    void aDirectory_isUsedInPlace_andLeftAloneOnClose() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("ctx"));
        try (OpenedContext ctx = of(dir.toString()).open()) {
            assertEquals(dir, ctx.root());
        }
        assertTrue(Files.isDirectory(dir));
    }

    @Test
    void gitUrls_areGitSources() throws Exception {
        GitContextSource s = assertInstanceOf(GitContextSource.class, of("https://host/r.git#main:d"));
        assertEquals(new GitRemote("https://host/r.git", "main", "d"), s.remote());
        assertInstanceOf(GitContextSource.class, of("git@host:r.git"));
    }

    @Test
    void aMissingPath_failsWithTheDockerCliWording() {
        ContextException e = assertThrows(ContextException.class, () -> of("nothere"));
        assertEquals("unable to prepare context: path \"nothere\" not found", e.getMessage());
        ContextException local = assertThrows(ContextException.class,
                () -> new LocalDirectorySource(tmp.resolve("x")).open());
        assertEquals("unable to prepare context: path \"" + tmp.resolve("x") + "\" not found", local.getMessage());
    }

    @Test
    void remoteTarballUrls_areNotSupportedYet() {
        ContextException e = assertThrows(ContextException.class, () -> of("https://host/ctx.tar.gz"));
        assertTrue(e.getMessage().contains("not supported yet"), e.getMessage());
    }
}
