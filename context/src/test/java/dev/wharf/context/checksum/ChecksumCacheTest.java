package dev.wharf.context.checksum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.walk.FileStat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChecksumCacheTest {

    private static final Clock LATER = Clock.fixed(Instant.parse("2200-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    private Path context() throws Exception {
        return ContextFixture.build(Files.createDirectory(tmp.resolve("ctx")), "ADD foo file data0",
                "ADD d dir", "ADD d/bar file data1");
    }

    private static FileKey keyOf(Path file) throws Exception {
        return FileKey.of(FileStat.read(file, file.getFileName().toString()), true);
    }

    @Test
    void persistedEntries_areReusedByAFreshInstance() throws Exception {
        Path ctx = context();
        Path dir = tmp.resolve("cache");
        ChecksumCache first = ChecksumCache.persistent(dir, 1000);
        ContextSnapshot s = ContextSnapshot.scan(ctx, PatternMatcher.of(List.of()));
        Digest d = new ContextChecksummer(first, true, LATER).checksum(s, Selector.copySource(".", List.of()));
        assertEquals(3, first.size(), "foo, d/bar and the header of d (the root's is not cached)");
        first.persist();

        ChecksumCache second = ChecksumCache.persistent(dir, 1000);
        assertEquals(3, second.size());
        assertEquals(Optional.of(ContextChecksummerTest.FILE_DATA0), second.get(keyOf(ctx.resolve("foo"))));
        assertEquals(d, new ContextChecksummer(second, true, LATER).checksum(s, Selector.copySource(".", List.of())));
    }

    @Test
    void aCacheHit_meansTheFileIsNotReadAgain() throws Exception {
        Path ctx = context();
        ChecksumCache cache = ChecksumCache.inMemory(100);
        Digest planted = Digest.of(new byte[] {1});
        cache.put(keyOf(ctx.resolve("foo")), planted);
        ContextSnapshot s = ContextSnapshot.scan(ctx, PatternMatcher.of(List.of()));
        assertEquals(planted, new ContextChecksummer(cache, true, LATER).checksum(s,
                Selector.copySource("foo", List.of())));
    }

    @Test
    void aChangedFile_missesTheCache() throws Exception {
        Path ctx = context();
        ChecksumCache cache = ChecksumCache.inMemory(100);
        ContextChecksummer c = new ContextChecksummer(cache, true, LATER);
        c.checksum(ContextSnapshot.scan(ctx, PatternMatcher.of(List.of())), Selector.copySource("foo", List.of()));
        Files.writeString(ctx.resolve("foo"), "data1");
        Digest after = c.checksum(ContextSnapshot.scan(ctx, PatternMatcher.of(List.of())),
                Selector.copySource("foo", List.of()));
        assertEquals(ContextChecksummerTest.FILE_DATA1, after);
    }

    @Test
    void recentlyChangedFiles_areNotCached() throws Exception {
        Path ctx = context();
        ChecksumCache cache = ChecksumCache.inMemory(100);
        Clock now = Clock.fixed(Instant.now(), ZoneOffset.UTC);
        new ContextChecksummer(cache, true, now).checksum(ContextSnapshot.scan(ctx, PatternMatcher.of(List.of())),
                Selector.copySource(".", List.of()));
        assertEquals(0, cache.size());
    }

    @Test
    void corruptOrTruncatedFiles_areIgnored() throws Exception {
        Path dir = tmp.resolve("cache");
        Path file = persistOneEntry(dir);
        byte[] good = Files.readAllBytes(file);

        byte[] flipped = good.clone();
        flipped[10] ^= 1;
        Files.write(file, flipped);
        assertEquals(0, ChecksumCache.persistent(dir, 100).size());

        Files.write(file, java.util.Arrays.copyOf(good, good.length - 7));
        assertEquals(0, ChecksumCache.persistent(dir, 100).size());

        Files.write(file, good);
        assertEquals(1, ChecksumCache.persistent(dir, 100).size());
    }

    @Test
    void leftoverTempFiles_areSweptAtStart() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cache"));
        Path stale = Files.createFile(dir.resolve(ChecksumCache.FILE_NAME + "123.tmp"));
        ChecksumCache.persistent(dir, 100);
        assertTrue(Files.notExists(stale));
    }

    @Test
    void persistWithNothingNew_leavesTheFileAlone() throws Exception {
        Path dir = tmp.resolve("cache");
        Path file = persistOneEntry(dir);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(0));

        ChecksumCache again = ChecksumCache.persistent(dir, 100);
        again.put(new FileKey(1, 2, 3, 4, 5, true), Digest.of(new byte[0]));
        again.persist();
        assertEquals(0, Files.getLastModifiedTime(file).toMillis());

        again.put(new FileKey(6, 7, 8, 9, 10, true), Digest.of(new byte[0]));
        again.persist();
        assertTrue(Files.size(dir.resolve(ChecksumCache.JOURNAL_NAME)) > 0);
        assertEquals(2, ChecksumCache.persistent(dir, 100).size());
    }

    @Test
    void entriesAwaitingPersist_areBoundedByTheMaximumSize() throws Exception {
        // A COPY of a million new files must not hold a million entries for the next persist (#10: bounded memory).
        Path dir = tmp.resolve("bounded");
        ChecksumCache cache = ChecksumCache.persistent(dir, 10);
        for (int i = 0; i < 1000; i++) {
            cache.put(new FileKey(1, i, 3, 4, 5, true), Digest.of(new byte[] {(byte) i}));
        }
        cache.persist();
        assertTrue(ChecksumCache.persistent(dir, 1000).size() <= 10);
    }

    @Test
    void anAddedEntry_isAppendedToTheJournalWithoutRewritingTheCompactedFile() throws Exception {
        Path dir = tmp.resolve("cache");
        Path file = persistOneEntry(dir);
        byte[] compacted = Files.readAllBytes(file);

        ChecksumCache again = ChecksumCache.persistent(dir, 100);
        Digest other = Digest.of(new byte[] {7});
        again.put(new FileKey(6, 7, 8, 9, 10, true), other);
        again.put(new FileKey(1, 2, 3, 4, 5, true), other); // a new digest for a loaded key
        again.persist();

        assertArrayEquals(compacted, Files.readAllBytes(file));
        ChecksumCache fresh = ChecksumCache.persistent(dir, 100);
        assertEquals(2, fresh.size());
        assertEquals(Optional.of(other), fresh.get(new FileKey(6, 7, 8, 9, 10, true)));
        assertEquals(Optional.of(other), fresh.get(new FileKey(1, 2, 3, 4, 5, true)));
    }

    @Test
    void aTornJournalTail_isIgnoredAndTheNextWriteCompacts() throws Exception {
        Path dir = tmp.resolve("cache");
        persistOneEntry(dir);
        ChecksumCache second = ChecksumCache.persistent(dir, 100);
        second.put(new FileKey(6, 7, 8, 9, 10, true), Digest.of(new byte[] {6}));
        second.persist();
        ChecksumCache third = ChecksumCache.persistent(dir, 100);
        third.put(new FileKey(11, 12, 13, 14, 15, true), Digest.of(new byte[] {11}));
        third.persist();
        Path journal = dir.resolve(ChecksumCache.JOURNAL_NAME);
        byte[] log = Files.readAllBytes(journal);
        Files.write(journal, java.util.Arrays.copyOf(log, log.length - 3)); // a crash mid-append

        ChecksumCache afterCrash = ChecksumCache.persistent(dir, 100);
        assertEquals(2, afterCrash.size());
        assertEquals(Optional.empty(), afterCrash.get(new FileKey(11, 12, 13, 14, 15, true)));
        afterCrash.put(new FileKey(16, 17, 18, 19, 20, true), Digest.of(new byte[] {16}));
        afterCrash.persist();
        assertTrue(Files.notExists(journal));
        ChecksumCache fresh = ChecksumCache.persistent(dir, 100);
        assertEquals(3, fresh.size());
        assertEquals(Optional.of(Digest.of(new byte[] {16})), fresh.get(new FileKey(16, 17, 18, 19, 20, true)));
    }

    @Test
    void aGrownJournal_isCompactedIntoTheFile() throws Exception {
        Path dir = tmp.resolve("cache");
        persistOneEntry(dir);
        for (int round = 0; round < 2; round++) {
            ChecksumCache c = ChecksumCache.persistent(dir, 10_000);
            for (int i = 0; i < 600; i++) {
                c.put(new FileKey(round, i, 1, 1, 1, true), Digest.of(new byte[] {(byte) i}));
            }
            c.persist();
        }
        // 1,200 appended records would pass the journal's limit: the second batch compacted everything.
        assertTrue(Files.notExists(dir.resolve(ChecksumCache.JOURNAL_NAME)));
        ChecksumCache fresh = ChecksumCache.persistent(dir, 10_000);
        assertEquals(1 + 1200, fresh.size());
        assertEquals(Optional.of(Digest.of(new byte[] {(byte) 599})), fresh.get(new FileKey(1, 599, 1, 1, 1, true)));
    }

    @Test
    void theCompactedFile_isLookedUpInPlace_forEveryEntry_andTheJournalWinsOverIt() throws Exception {
        Path dir = tmp.resolve("cache");
        ChecksumCache c = ChecksumCache.persistent(dir, 100_000);
        for (int i = 0; i < 5000; i++) { // colliding slots included: inodes differ by a multiple of the capacity
            c.put(new FileKey(7, i * 16384L, i % 3, i, -i, i % 2 == 0), Digest.of(new byte[] {(byte) i, 1}));
        }
        c.persist();
        ChecksumCache fresh = ChecksumCache.persistent(dir, 100_000);
        for (int i = 0; i < 5000; i++) {
            assertEquals(Digest.of(new byte[] {(byte) i, 1}),
                    fresh.lookup(new FileKey(7, i * 16384L, i % 3, i, -i, i % 2 == 0)), "entry " + i);
            byte[] wire = new byte[Digest.WIRE_BYTES];
            assertTrue(fresh.wire(7, i * 16384L, i % 3, i, -i, i % 2 == 0, wire));
            assertArrayEquals(Digest.of(new byte[] {(byte) i, 1}).wireBytes(), wire);
        }
        assertEquals(null, fresh.lookup(new FileKey(7, 0, 0, 0, 0, false)), "another owner flag");
        assertEquals(null, fresh.lookup(new FileKey(8, 0, 0, 0, 0, true)), "another device");
        // A later digest for one key goes to the journal and wins over the compacted one in the next process.
        fresh.put(new FileKey(7, 16384L, 1, 1, -1, false), Digest.of(new byte[] {9}));
        fresh.persist();
        assertTrue(Files.exists(dir.resolve(ChecksumCache.JOURNAL_NAME)));
        ChecksumCache third = ChecksumCache.persistent(dir, 100_000);
        assertEquals(Digest.of(new byte[] {9}), third.lookup(new FileKey(7, 16384L, 1, 1, -1, false)));
        assertEquals(5000, third.size());
        // A compaction of the mapped entries and the journal keeps both, the journal's winning.
        for (int i = 0; i < 1500; i++) {
            third.put(new FileKey(9, i, 0, 0, 0, true), Digest.of(new byte[] {(byte) i, 2}));
        }
        third.persist();
        assertTrue(Files.notExists(dir.resolve(ChecksumCache.JOURNAL_NAME)), "compacted");
        ChecksumCache fourth = ChecksumCache.persistent(dir, 100_000);
        assertEquals(6500, fourth.size());
        assertEquals(Digest.of(new byte[] {9}), fourth.lookup(new FileKey(7, 16384L, 1, 1, -1, false)));
        assertEquals(Digest.of(new byte[] {(byte) 4999, 1}), fourth.lookup(new FileKey(7, 4999 * 16384L, 4999 % 3,
                4999, -4999, false)));
    }

    /** Persists a cache of one entry under {@code dir}; returns its file. */
    private static Path persistOneEntry(Path dir) throws Exception {
        ChecksumCache c = ChecksumCache.persistent(dir, 100);
        c.put(new FileKey(1, 2, 3, 4, 5, true), Digest.of(new byte[0]));
        c.persist();
        return dir.resolve(ChecksumCache.FILE_NAME);
    }
}
