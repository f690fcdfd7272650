package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's parse cache on real files: hits only for the exact text and code, damaged entries ignored. */
class ParseCacheTest {
    private static final String TEXT = "# escape=`\nFROM busybox:latest AS base\nARG A=1\nRUN echo a `\n\n  b\n"
            + "COPY --chmod=0755 a /b\nRUN <<EOF\necho \"$A\"\nEOF\nCMD [\"/b\"]\n";

    @TempDir
    Path root;

    private ParseCache cache(String code) {
        return new ParseCache(root.resolve(ParseCache.DIRECTORY), code);
    }

    private static Dockerfile parse(String text) throws DockerfileException {
        return DockerfileReader.read("Dockerfile", DockerfileParser.parse("Dockerfile", text));
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve(ParseCache.DIRECTORY))) {
            return files.toList();
        }
    }

    @Test
    void aStoredDockerfileComesBackEqualWithItsWarnings() throws Exception {
        Dockerfile parsed = parse(TEXT);
        assertFalse(parsed.warnings().isEmpty(), "the empty continuation line warns");
        assertFalse(ParseCache.holds(root, TEXT));
        cache("v1").store("Dockerfile", TEXT, parsed);
        assertTrue(ParseCache.holds(root, TEXT));
        assertFalse(ParseCache.holds(root, TEXT + " "));
        Dockerfile back = cache("v1").lookup("Dockerfile", TEXT).orElseThrow();
        assertNotSame(parsed, back);
        assertEquals(parsed, back);
        assertEquals(parsed.warnings(), back.warnings());
        assertEquals('`', back.directives().escapeChar());
    }

    @Test
    void aChangedTextNameOrCodeNeverHits() throws Exception {
        cache("v1").store("Dockerfile", TEXT, parse(TEXT));
        assertEquals(Optional.empty(), cache("v1").lookup("Dockerfile", TEXT + "\n"));
        assertEquals(Optional.empty(), cache("v1").lookup("Dockerfile", TEXT.replace("A=1", "A=2")));
        assertEquals(Optional.empty(), cache("v1").lookup("app.Dockerfile", TEXT));
        assertEquals(Optional.empty(), cache("v2").lookup("Dockerfile", TEXT));
    }

    @Test
    void anEntryOfAnotherTextUnderTheNameIsRefused() throws Exception {
        // As a digest clash would be: the entry's own text is compared, not only its file name.
        String other = "FROM scratch\n";
        cache("v1").store("Dockerfile", other, parse(other));
        Path otherEntry = entries().get(0);
        cache("v1").store("Dockerfile", TEXT, parse(TEXT));
        Path entry = entries().stream().filter(p -> !p.equals(otherEntry)).findFirst().orElseThrow();
        Files.copy(otherEntry, entry, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(Optional.empty(), cache("v1").lookup("Dockerfile", TEXT));
    }

    @Test
    void truncatedAndDamagedEntriesAreIgnoredAndRemoved() throws Exception {
        cache("v1").store("Dockerfile", TEXT, parse(TEXT));
        Path entry = entries().get(0);
        byte[] good = Files.readAllBytes(entry);
        for (int length : new int[] {0, 1, 10, good.length / 2, good.length - 1}) {
            Files.write(entry, Arrays.copyOf(good, length));
            assertEquals(Optional.empty(), cache("v1").lookup("Dockerfile", TEXT), "length " + length);
            assertFalse(Files.exists(entry), "a damaged entry is removed");
        }
        for (int i = 0; i < good.length; i += 7) {
            byte[] damaged = good.clone();
            damaged[i] ^= 0x01;
            Files.write(entry, damaged);
            assertEquals(Optional.empty(), cache("v1").lookup("Dockerfile", TEXT), "byte " + i);
        }
        Files.write(entry, good);
        assertEquals(parse(TEXT), cache("v1").lookup("Dockerfile", TEXT).orElseThrow());
    }

    @Test
    void parsedDockerfilesUseItAndNeverCacheErrors() throws Exception {
        Optional<ParseCache> persistent = Optional.of(cache("v1"));
        Dockerfile first = new ParsedDockerfiles().parse("Dockerfile", TEXT, persistent);
        assertEquals(1, entries().size());
        // A new engine (a new process) finds it.
        assertEquals(first, new ParsedDockerfiles().parse("Dockerfile", TEXT, persistent));
        String bad = "FROM busybox\nFOO bar\n";
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> new ParsedDockerfiles().parse("Dockerfile", bad, persistent));
        assertEquals("dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)", e.reason());
        assertEquals(1, entries().size());
        assertThrows(DockerfileException.class, () -> new ParsedDockerfiles().parse("Dockerfile", bad, persistent));
    }

    @Test
    void keepsAtMostMaxEntries() throws Exception {
        for (int i = 0; i < ParseCache.MAX_ENTRIES + 5; i++) {
            String text = "FROM scratch\nENV N=" + i + "\n";
            cache("v1").store("Dockerfile", text, parse(text));
        }
        assertEquals(ParseCache.MAX_ENTRIES, entries().size());
        assertTrue(entries().stream().noneMatch(p -> p.getFileName().toString().startsWith(".")));
    }
}
