package dev.wharf.context.checksum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.context.ContextException;
import dev.wharf.context.ignore.PatternMatcher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expected digests are the constants of BuildKit's cache/contenthash/checksum_test.go: the same trees must give the
 * same digests (files 0644, directories 0755, owner root).
 */
class ContextChecksummerTest {

    static final Digest FILE_DATA0 =
            Digest.parse("sha256:cd8e75bca50f2d695f220d0cb0997d8ead387e4f926e8669a92d7f104cc9885b");
    static final Digest FILE_DATA1 =
            Digest.parse("sha256:c2b5e234f5f38fc5864da7def04782f82501a40d46192e4207d5b3f0c3c4732b");
    static final Digest DIR_D0 =
            Digest.parse("sha256:d47454417d2c554067fbefe5f5719edc49f3cfe969c36b62e34a187a4da0cc9a");
    static final Digest DIR_D0_FILE_BY_FILE =
            Digest.parse("sha256:6b612ad5c13159112ae26357ef7bd34df29916941ba40ec2ce38dfb70c6c60c3");
    static final Digest DIR_D0_MODIFIED =
            Digest.parse("sha256:555ffa3028630d97ba37832b749eda85ab676fd64ffb629fbf0f4ec8c1e3bff1");
    static final Digest DOUBLE_STAR =
            Digest.parse("sha256:aa7448215bbf5b837b35ce64467857d8b9747965573d14d4b31b370586370971");

    @TempDir
    Path tmp;

    /** A clock far in the future, so no test file counts as racily fresh. */
    private static final Clock LATER = Clock.fixed(Instant.parse("2200-01-01T00:00:00Z"), ZoneOffset.UTC);

    private final ContextChecksummer checksummer =
            new ContextChecksummer(ChecksumCache.inMemory(10_000), true, LATER);

    private Path ctx(String name, String... changes) throws Exception {
        return ContextFixture.build(Files.createDirectory(tmp.resolve(name)), changes);
    }

    private static ContextSnapshot snap(Path root) throws ContextException {
        return ContextSnapshot.scan(root, PatternMatcher.of(List.of()));
    }

    private Digest sum(ContextSnapshot s, String path, boolean follow) throws ContextException {
        return checksummer.checksum(s, new Selector(path, false, follow, List.of(), List.of()));
    }

    private Digest wild(ContextSnapshot s, String path, boolean follow) throws ContextException {
        return checksummer.checksum(s, new Selector(path, true, follow, List.of(), List.of()));
    }

    @Test
    void filesDirectoriesAndSymlinks_matchBuildKitDigests() throws Exception {
        ContextSnapshot s = snap(ctx("c", "ADD foo file data0", "ADD bar file data1", "ADD d0 dir",
                "ADD d0/abc file data0", "ADD d0/def symlink abc", "ADD d0/ghi symlink nosuchfile"));
        assertEquals(FILE_DATA0, sum(s, "foo", true));
        assertEquals(FILE_DATA1, sum(s, "bar", true));
        assertEquals(FILE_DATA0, sum(s, "d0/abc", true));
        assertEquals(FILE_DATA0, sum(s, "d0/def", true), "a followed symlink has its target's digest");
        assertEquals(DIR_D0, sum(s, "d0", true));
        assertEquals(Digest.parse("sha256:427c9cf9ae98c0f81fb57a3076b965c7c149b6b0a85625ad4e884236649a42c6"),
                sum(s, "/", true));
        ContextException e = assertThrows(ContextException.class, () -> sum(s, "d0/ghi", true));
        assertEquals("\"/d0/ghi\": not found", e.getMessage());
        assertThrows(ContextException.class, () -> sum(s, "nosuch", true));
    }

    @Test
    void filesHashedInParallelAheadOfTheWalk_haveTheirOneByOneDigests() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("many"));
        Files.createDirectories(root.resolve("d/sub"));
        for (int i = 0; i < 120; i++) {
            Files.write(root.resolve((i % 3 == 0 ? "d/sub/" : "d/") + "f" + i),
                    ("content " + i).repeat(i * 50).getBytes(StandardCharsets.UTF_8));
        }
        Files.createSymbolicLink(root.resolve("d/link"), Path.of("f1"));
        ContextSnapshot s = snap(root);
        ChecksumCache parallelCache = ChecksumCache.inMemory(10_000);
        Digest whole = new ContextChecksummer(parallelCache, true, LATER)
                .checksum(s, new Selector("d", false, true, List.of(), List.of()));
        assertEquals(whole, sum(s, "d", true), "same digest with another cache");
        for (int i = 0; i < 120; i++) {
            String rel = (i % 3 == 0 ? "d/sub/" : "d/") + "f" + i;
            // One file at a time: no directory, so nothing is hashed ahead.
            Digest single = new ContextChecksummer(ChecksumCache.inMemory(10), true, LATER)
                    .checksum(s, new Selector(rel, false, true, List.of(), List.of()));
            var stat = s.lstat("/" + rel).orElseThrow();
            assertEquals(single, parallelCache.get(FileKey.of(stat, true)).orElseThrow(), rel);
        }
    }

    @Test
    void childDirectoriesHashedInParallel_giveTheSequentialDigests() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("forked"));
        for (int i = 0; i < 60; i++) {
            Path dir = Files.createDirectories(root.resolve("d" + (i % 4) + (i % 3 == 0 ? "/deeper/x" : "/y")));
            Files.writeString(dir.resolve("f" + i), "content " + i);
        }
        Files.writeString(root.resolve("top"), "top");
        Files.createSymbolicLink(root.resolve("d1/link"), Path.of("../d2"));
        ContextSnapshot s = snap(root);
        for (String path : List.of("/", "d1", "d0/deeper")) {
            Selector sel = new Selector(path, false, true, List.of(), List.of());
            Digest sequential = new ContextChecksummer(ChecksumCache.inMemory(1000), true, LATER, Integer.MAX_VALUE)
                    .checksum(s, sel);
            Digest forked = new ContextChecksummer(ChecksumCache.inMemory(1000), true, LATER, 0).checksum(s, sel);
            assertEquals(sequential, forked, path);
        }
        ChecksumCache warm = ChecksumCache.inMemory(1000);
        ContextChecksummer forkedWarm = new ContextChecksummer(warm, true, LATER, 0);
        Digest cold = forkedWarm.checksum(s, Selector.copySource(".", List.of()));
        assertEquals(cold, forkedWarm.checksum(s, Selector.copySource(".", List.of())), "from the cache");
    }

    @Test
    void aDirectoryDigest_dependsOnlyOnContentNotOnWhereItIs() throws Exception {
        ContextSnapshot s = snap(ctx("c", "ADD abc file data0", "ADD def symlink abc", "ADD ghi symlink nosuchfile"));
        assertEquals(DIR_D0, sum(s, "/", true));
        ContextSnapshot modified = snap(ctx("m", "ADD abc file data0", "ADD def symlink abc"));
        assertEquals(DIR_D0_MODIFIED, sum(modified, "/", true));
    }

    @Test
    void nestedFile() throws Exception {
        ContextSnapshot s = snap(ctx("c", "ADD abc dir", "ADD abc/aa dir", "ADD abc/aa/foo file data2", "ADD d0 dir",
                "ADD d0/abc file data0", "ADD d0/def symlink abc", "ADD d0/ghi symlink nosuchfile"));
        assertEquals(Digest.parse("sha256:1c67653c3cf95b12a0014e2c4cd1d776b474b3218aee54155d6ae27b9b999c54"),
                sum(s, "abc/aa/foo", true));
        assertEquals(DIR_D0, sum(s, "d0", true));
    }

    @Test
    void wildcards_hashTheMatchedPathsFileByFile() throws Exception {
        ContextSnapshot s = snap(ctx("c", "ADD bar file data1", "ADD foo file data0", "ADD fox file data2",
                "ADD x dir", "ADD x/d0 dir", "ADD x/d0/abc file data0", "ADD x/d0/def symlink abc",
                "ADD x/d0/ghi symlink nosuchfile", "ADD y1 symlink foo", "ADD y2 symlink fox"));
        byte[] one = ("\0foo" + FILE_DATA0).getBytes(StandardCharsets.UTF_8);
        assertEquals(Digest.of(one), wild(s, "f*o", false));
        assertEquals(Digest.parse("sha256:0b6731924f0a32a812bf8a729202e55e54ded331f9e4ff2397f681e43694e086"),
                wild(s, "f*", false));
        assertEquals(DIR_D0_FILE_BY_FILE, wild(s, "x/d?", false));
        assertEquals(FILE_DATA0, wild(s, "x/d?/def", true));
        assertEquals(Digest.parse("sha256:982153600b9653a1decb0f961e09e2bc1be335cfcaac9b39dbd1120b65fdf92c"),
                wild(s, "y*", true));
    }

    @Test
    void symlinksAreNotFollowedUnlessAsked() throws Exception {
        ContextSnapshot s = snap(ctx("c", "ADD target file data0", "ADD sym symlink target",
                "ADD sym2 symlink target2", "ADD foo dir", "ADD foo/ghi symlink target", "ADD y1 symlink foo/ghi"));
        Digest expectedSym =
                Digest.parse("sha256:a2ba571981f48ec34eb79c9a3ab091b6491e825c2f7e9914ea86e8e958be7fae");
        assertEquals(expectedSym, wild(s, "sym", false));
        assertNotEquals(expectedSym, wild(s, "sym2", false));
        assertEquals(expectedSym, wild(s, "foo/ghi", false));
        // foo/ghi points to foo/target, which does not exist: following it fails.
        assertThrows(ContextException.class, () -> wild(s, "foo/ghi", true));
        assertThrows(ContextException.class, () -> wild(s, "y1", true));
    }

    @Test
    void symlinksResolveInsideTheContextLikeAChroot() throws Exception {
        ContextSnapshot s = snap(ctx("c", "ADD aa dir", "ADD aa/bb dir", "ADD aa/bb/cc dir",
                "ADD aa/bb/cc/dd file data0", "ADD aa/ln symlink /aa", "ADD up symlink ../../../aa/bb/cc/dd"));
        assertEquals(FILE_DATA0, sum(s, "aa/ln/bb/cc/dd", true));
        assertEquals(FILE_DATA0, sum(s, "up", true), ".. cannot climb above the context root");
    }

    @Test
    void includePatterns_withDoubleStar() throws Exception {
        ContextSnapshot empty = snap(ctx("e", "ADD prefix dir", "ADD prefix/a dir", "ADD prefix/a/b dir",
                "ADD prefix/a/b/c dir"));
        Selector none = new Selector("prefix/a", false, false, List.of("**/foo/**"), List.of());
        assertEquals(Digest.of(new byte[0]), checksummer.checksum(empty, none));

        ContextSnapshot s = snap(ctx("c", "ADD prefix dir", "ADD prefix/a dir", "ADD prefix/a/b dir",
                "ADD prefix/a/b/c dir", "ADD prefix/a/b/c/foo dir", "ADD prefix/a/b/c/foo/bar file abc"));
        for (List<String> inc : List.of(List.of("**/foo/**", "**/report"), List.of("**/foo", "**/report"))) {
            for (boolean wildcard : new boolean[] {false, true}) {
                assertEquals(DOUBLE_STAR, checksummer.checksum(s, new Selector("prefix/a", wildcard, false, inc,
                        List.of())), inc + " wildcard=" + wildcard);
            }
        }
    }

    @Test
    void ignoredFiles_doNotChangeTheContextDigest() throws Exception {
        Path root = ctx("c", "ADD abc file data0", "ADD def symlink abc", "ADD ghi symlink nosuchfile");
        Files.writeString(root.resolve("build.log"), "noise");
        ContextSnapshot s = ContextSnapshot.scan(root, PatternMatcher.of(List.of("*.log")));
        assertEquals(DIR_D0, sum(s, "/", true));
    }

    @Test
    void excludePatterns_ofCopy() throws Exception {
        ContextSnapshot s = snap(ctx("c", "ADD d dir", "ADD d/keep file data0", "ADD d/skip.tmp file data1"));
        ContextSnapshot clean = snap(ctx("k", "ADD d dir", "ADD d/keep file data0"));
        Selector sel = Selector.copySource("d", List.of("*.tmp"));
        assertEquals(checksummer.checksum(clean, sel), checksummer.checksum(s, sel));
        assertNotEquals(checksummer.checksum(s, Selector.copySource("d", List.of())), checksummer.checksum(s, sel));
    }

    @Test
    void contentHash_joinsSelectorDigestsWithNul() throws Exception {
        ContextSnapshot s = snap(ctx("c", "ADD foo file data0", "ADD bar file data1"));
        Digest d = checksummer.contentHash(s, List.of(Selector.copySource("foo", List.of()),
                Selector.copySource("bar", List.of())));
        assertEquals(Digest.of((FILE_DATA0 + "\0" + FILE_DATA1).getBytes(StandardCharsets.UTF_8)), d);
    }

    @Test
    void metadataChanges_changeTheDigest_mtimeDoesNot() throws Exception {
        Path root = ctx("c", "ADD foo file data0");
        ContextChecksummer fresh = new ContextChecksummer(ChecksumCache.inMemory(100), true, LATER);
        Digest before = fresh.checksum(snap(root), Selector.copySource("foo", List.of()));
        Files.setLastModifiedTime(root.resolve("foo"), java.nio.file.attribute.FileTime.fromMillis(0));
        assertEquals(before, fresh.checksum(snap(root), Selector.copySource("foo", List.of())));
        Files.setPosixFilePermissions(root.resolve("foo"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        assertNotEquals(before, fresh.checksum(snap(root), Selector.copySource("foo", List.of())));
    }

    @Test
    void fifosAreHashedByHeaderWithoutBeingOpened_hardlinksAsRegularFiles() throws Exception {
        Path root = ctx("c", "ADD foo file data0");
        Files.createLink(root.resolve("hard"), root.resolve("foo"));
        Process p = new ProcessBuilder("mkfifo", root.resolve("pipe").toString()).start();
        assertEquals(0, p.waitFor());
        ContextSnapshot s = snap(root);
        assertEquals(FILE_DATA0, sum(s, "hard", false));
        Digest pipe = sum(s, "pipe", false);
        byte[] header = ("namemode" + (Files.getAttribute(root.resolve("pipe"), "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) instanceof Integer m ? m & 07777 : 0)
                + "uid0gid0size0typeflag6linknameunamegnamedevmajor0devminor0").getBytes(StandardCharsets.UTF_8);
        assertEquals(Digest.of(header), pipe);
        sum(s, "/", false); // the directory digest includes the FIFO without blocking
    }

    @Test
    void unreadableFile_failsWithItsPathUnlessTheProcessCanReadIt() throws Exception {
        Path root = ctx("c", "ADD secret file data0");
        Path secret = root.resolve("secret");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        try {
            ContextSnapshot s = snap(root);
            if (Files.isReadable(secret)) { // root reads it anyway: the header then shows mode 0
                Digest d = sum(s, "secret", false);
                assertNotEquals(FILE_DATA0, d);
            } else {
                ContextException e = assertThrows(ContextException.class, () -> sum(s, "secret", false));
                assertEquals("failed to open /secret: permission denied", e.getMessage());
            }
        } finally {
            Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
    }
}
