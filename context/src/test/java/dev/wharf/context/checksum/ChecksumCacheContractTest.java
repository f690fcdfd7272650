package dev.wharf.context.checksum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The behaviour every ChecksumCache has, in memory or persisted. */
class ChecksumCacheContractTest {

    @TempDir
    static Path dir;

    interface Factory {
        ChecksumCache create(String name) throws Exception;
    }

    static Stream<Arguments> caches() {
        return Stream.of(
                Arguments.of("in-memory", (Factory) name -> ChecksumCache.inMemory(2)),
                Arguments.of("persistent", (Factory) name -> ChecksumCache.persistent(dir.resolve(name), 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caches")
    void storesAndReturnsDigestsByExactKey(String kind, Factory factory) throws Exception {
        ChecksumCache c = factory.create(kind + "-exact");
        FileKey k = new FileKey(1, 2, 3, 4, 5, true);
        Digest d = Digest.of(new byte[] {9});
        assertEquals(Optional.empty(), c.get(k));
        c.put(k, d);
        assertEquals(Optional.of(d), c.get(k));
        assertEquals(Optional.empty(), c.get(new FileKey(1, 2, 3, 4, 6, true)), "another ctime is another file");
        assertEquals(Optional.empty(), c.get(new FileKey(1, 2, 3, 4, 5, false)), "owner reset is part of the key");
        c.persist(); // a no-op or a write; never an error here
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caches")
    void isBoundedByItsMaximumSize(String kind, Factory factory) throws Exception {
        ChecksumCache c = factory.create(kind + "-bounded");
        for (int i = 0; i < 50; i++) {
            c.put(new FileKey(1, i, 0, 0, 0, true), Digest.of(new byte[] {(byte) i}));
        }
        assertEquals(true, c.size() <= 2, "size " + c.size());
    }
}
