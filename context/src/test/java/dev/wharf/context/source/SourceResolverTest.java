package dev.wharf.context.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ChecksumCache;
import dev.wharf.context.checksum.ContextChecksummer;
import dev.wharf.context.checksum.ContextSnapshot;
import dev.wharf.context.checksum.Digest;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.walk.FileType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceResolverTest {

    private static final Clock LATER = Clock.fixed(Instant.parse("2200-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path ctx;

    private void file(String rel, String content) throws Exception {
        Path p = ctx.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private FileSet copy(List<String> excludes, boolean parents, String dest, DestinationView view,
                         String... sources) throws Exception {
        ContextSnapshot s = ContextSnapshot.scan(ctx, PatternMatcher.of(List.of()));
        SourceResolver r = new SourceResolver(s, new ContextChecksummer(ChecksumCache.inMemory(100), true, LATER),
                "context");
        return r.resolve(new CopyRequest(List.of(sources), dest, excludes, parents), view);
    }

    private FileSet copy(String dest, String... sources) throws Exception {
        return copy(List.of(), false, dest, DestinationView.empty(), sources);
    }

    private static List<String> mapping(FileSet set) {
        return set.entries().stream().map(e -> e.sourcePath() + " -> " + e.destinationPath()).toList();
    }

    @Test
    void fileIntoADirectoryDestination_keepsItsName() throws Exception {
        file("app.py", "x");
        assertEquals(List.of("app.py -> /dst/app.py"), mapping(copy("/dst/", "app.py")));
    }

    @Test
    void fileOntoAMissingPathWithoutSlash_becomesThatFile() throws Exception {
        file("app.py", "x");
        assertEquals(List.of("app.py -> /dst"), mapping(copy("/dst", "app.py")));
    }

    @Test
    void fileOntoAnExistingDirectoryWithoutSlash_goesInside() throws Exception {
        file("app.py", "x");
        DestinationView view = p -> p.equals("/usr/bin") || p.equals("/") ? Optional.of(FileType.DIRECTORY)
                : Optional.empty();
        assertEquals(List.of("app.py -> /usr/bin/app.py"), mapping(copy(List.of(), false, "/usr/bin", view,
                "app.py")));
    }

    @Test
    void destinationWithSlashOrParentOnAnExistingFile_failsAsMkdirAll() throws Exception {
        file("app.py", "x");
        DestinationView view = p -> p.equals("/") || p.equals("/etc") ? Optional.of(FileType.DIRECTORY)
                : p.equals("/etc/motd") ? Optional.of(FileType.REGULAR) : Optional.empty();
        ContextException slash = assertThrows(ContextException.class,
                () -> copy(List.of(), false, "/etc/motd/", view, "app.py"));
        assertEquals("mkdir /etc/motd: not a directory", slash.getMessage());
        ContextException below = assertThrows(ContextException.class,
                () -> copy(List.of(), false, "/etc/motd/sub/app.py", view, "app.py"));
        assertEquals("mkdir /etc/motd: not a directory", below.getMessage());
        assertEquals(List.of("app.py -> /etc/motd"), mapping(copy(List.of(), false, "/etc/motd", view, "app.py")));
    }

    @Test
    void aDirectorySource_copiesItsContents() throws Exception {
        file("src/a.c", "a");
        file("src/sub/b.c", "b");
        assertEquals(List.of("src -> /dst", "src/a.c -> /dst/a.c", "src/sub -> /dst/sub",
                "src/sub/b.c -> /dst/sub/b.c"), mapping(copy("/dst", "src")));
        assertEquals(mapping(copy("/dst", "src")), mapping(copy("/dst/", "./src/")));
    }

    @Test
    void wildcards_matchPerSegmentInLexicalOrder() throws Exception {
        file("b.txt", "b");
        file("a.txt", "a");
        file("c.md", "c");
        file("d/e.txt", "e");
        assertEquals(List.of("a.txt -> /dst/a.txt", "b.txt -> /dst/b.txt"), mapping(copy("/dst/", "*.txt")));
        assertEquals(List.of("d/e.txt -> /dst/e.txt"), mapping(copy("/dst/", "*/*.txt")));
        assertEquals(List.of(), mapping(copy("/dst/", "*.none")), "a wildcard may match nothing");
    }

    @Test
    void severalSources_inRequestOrder_lastWinsOnAFileDestination() throws Exception {
        file("one", "1");
        file("two", "2");
        assertEquals(List.of("one -> /dst/one", "two -> /dst/two"), mapping(copy("/dst/", "one", "two")));
        assertEquals(List.of("one -> /x", "two -> /x"), mapping(copy("/x", "one", "two")));
    }

    @Test
    void missingSource_failsWithBuildKitsWording() throws Exception {
        file("present", "p");
        ContextException e = assertThrows(ContextException.class, () -> copy("/dst/", "missing.txt"));
        assertEquals("failed to compute cache key: failed to calculate checksum of ref context: "
                + "\"/missing.txt\": not found", e.getMessage());
    }

    @Test
    void sourcesCannotEscapeTheContext() throws Exception {
        file("etc/passwd", "context's own");
        FileSet set = copy("/dst", "../../../etc/passwd");
        assertEquals(List.of("etc/passwd -> /dst"), mapping(set));
        assertEquals(mapping(set), mapping(copy("/dst", "/etc/passwd")));
    }

    @Test
    void symlinksPointingOutside_resolveInsideTheContext() throws Exception {
        file("etc/passwd", "inside");
        Files.createSymbolicLink(ctx.resolve("sys"), Path.of("/etc"));
        Files.createSymbolicLink(ctx.resolve("up"), Path.of("../../../../etc/passwd"));
        assertEquals(List.of("etc/passwd -> /dst/passwd"), mapping(copy("/dst/", "sys/passwd")));
        assertEquals(List.of("etc/passwd -> /dst/up"), mapping(copy("/dst/", "up")));
        Files.delete(ctx.resolve("etc/passwd"));
        ContextException e = assertThrows(ContextException.class, () -> copy("/dst/", "sys/passwd"));
        assertTrue(e.getMessage().endsWith("\"/sys/passwd\": not found"), e.getMessage());
    }

    @Test
    void symlinksInsideACopiedDirectory_stayLinks() throws Exception {
        file("d/target", "t");
        Files.createSymbolicLink(ctx.resolve("d/link"), Path.of("target"));
        FileSet set = copy("/dst/", "d");
        FileEntry link = set.entries().stream().filter(e -> e.sourcePath().equals("d/link")).findFirst()
                .orElseThrow();
        assertEquals(FileType.SYMLINK, link.type());
        assertEquals("target", link.stat().linkTarget());
    }

    @Test
    void hardlinks_arePreservedWithinASource() throws Exception {
        file("d/a", "same");
        Files.createLink(ctx.resolve("d/b"), ctx.resolve("d/a"));
        FileSet set = copy("/dst/", "d");
        assertEquals(Optional.empty(), set.entries().get(1).hardlinkTo());
        assertEquals("d/b", set.entries().get(2).sourcePath());
        assertEquals(Optional.of("/dst/a"), set.entries().get(2).hardlinkTo());
    }

    @Test
    void excludePatterns_dropFilesAndChangeTheChecksum() throws Exception {
        file("d/keep.c", "k");
        file("d/drop.tmp", "d");
        file("d/sub/x.tmp", "x");
        FileSet all = copy("/dst/", "d");
        FileSet some = copy(List.of("*.tmp", "sub"), false, "/dst/", DestinationView.empty(), "d");
        assertEquals(List.of("d -> /dst", "d/keep.c -> /dst/keep.c"), mapping(some));
        assertTrue(!all.checksum().equals(some.checksum()));
    }

    @Test
    void parents_keepTheDirectoriesAboveEachMatch() throws Exception {
        file("a/b/c.txt", "c");
        file("a/b/other", "o");
        file("x/y/z.txt", "z");
        assertEquals(List.of(" -> /dst", "a -> /dst/a", "a/b -> /dst/a/b", "a/b/c.txt -> /dst/a/b/c.txt"),
                mapping(copy(List.of(), true, "/dst/", DestinationView.empty(), "a/b/c.txt")));
        assertEquals(List.of(" -> /dst", "a -> /dst/a", "a/b -> /dst/a/b", "a/b/c.txt -> /dst/a/b/c.txt",
                        "x -> /dst/x", "x/y -> /dst/x/y", "x/y/z.txt -> /dst/x/y/z.txt"),
                mapping(copy(List.of(), true, "/dst/", DestinationView.empty(), "*/*/*.txt")));
        // A pivot "/./" keeps only what follows it.
        assertEquals(List.of("a -> /dst", "a/b -> /dst/b", "a/b/c.txt -> /dst/b/c.txt"),
                mapping(copy(List.of(), true, "/dst/", DestinationView.empty(), "a/./b/c.txt")));
        ContextException e = assertThrows(ContextException.class,
                () -> copy(List.of(), true, "/dst/", DestinationView.empty(), "a/b/none.txt"));
        assertTrue(e.getMessage().endsWith("\"/a/b/none.txt\": not found"), e.getMessage());
    }

    @Test
    void checksum_isTheContentHashOfTheSelectors() throws Exception {
        file("f", "data0");
        Files.setPosixFilePermissions(ctx.resolve("f"), java.nio.file.attribute.PosixFilePermissions.fromString(
                "rw-r--r--"));
        FileSet set = copy("/dst/", "f");
        // BuildKit's dgstFileData0, joined as the only element of the digest list.
        assertEquals(Digest.of("sha256:cd8e75bca50f2d695f220d0cb0997d8ead387e4f926e8669a92d7f104cc9885b"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)), set.checksum());
    }

    @Test
    void aTopLevelSymlinkSource_isFollowedAndKeepsTheLinksName() throws Exception {
        file("real/data.txt", "d");
        Files.createSymbolicLink(ctx.resolve("alias"), Path.of("real/data.txt"));
        FileSet set = copy("/dst/", "alias");
        assertEquals(List.of("real/data.txt -> /dst/alias"), mapping(set));
        assertEquals(FileType.REGULAR, set.entries().get(0).type());
    }
}
