package dev.wharf.context.checksum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.walk.FileType;
import dev.wharf.layers.posix.PosixFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native reader sees the namespaces java.nio cannot ({@code security.}, {@code trusted.}); setting those needs
 * root (CAP_SYS_ADMIN / CAP_SETFCAP), which the build machine has.
 */
class XattrReaderTest {

    private static final Clock LATER = Clock.fixed(Instant.parse("2200-01-01T00:00:00Z"), ZoneOffset.UTC);
    // A VFS_CAP_REVISION_2 capability set with cap_net_bind_service permitted and effective.
    private static final byte[] CAPABILITY = {0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0};

    @TempDir
    Path tmp;

    private Digest checksumOf(Path ctx) throws Exception {
        return new ContextChecksummer(ChecksumCache.inMemory(100), true, LATER).checksum(
                ContextSnapshot.scan(ctx, PatternMatcher.of(List.of())), Selector.copySource("f", List.of()));
    }

    @Test
    void securityCapability_isReadAndChangesTheChecksum() throws Exception {
        PosixFiles posix = PosixFiles.system();
        Path ctx = Files.createDirectory(tmp.resolve("ctx"));
        Path f = Files.writeString(ctx.resolve("f"), "bin");
        Digest plain = checksumOf(ctx);
        posix.setXattr(f, "security.capability", CAPABILITY);
        Map<String, byte[]> attrs = XattrReader.system().read(f, FileType.REGULAR, "/f");
        assertArrayEquals(CAPABILITY, attrs.get("security.capability"));
        assertTrue(XattrReader.jdkOnly().read(f, FileType.REGULAR, "/f").isEmpty(), "java.nio cannot see it");
        assertNotEquals(plain, checksumOf(ctx));
    }

    @Test
    void trustedAttributes_areHashed_asBuildKitSelectsEverythingOutsideSecurityAndSystem() throws Exception {
        PosixFiles posix = PosixFiles.system();
        Path ctx = Files.createDirectory(tmp.resolve("ctx"));
        Path f = Files.writeString(ctx.resolve("f"), "x");
        Digest plain = checksumOf(ctx);
        posix.setXattr(f, "trusted.wharf", new byte[] {1});
        Digest one = checksumOf(ctx);
        posix.setXattr(f, "trusted.wharf", new byte[] {2});
        assertNotEquals(plain, one);
        assertNotEquals(one, checksumOf(ctx));
    }

    @Test
    void aFifo_isAskedWithoutOpeningIt() throws Exception {
        PosixFiles posix = PosixFiles.system();
        Path fifo = tmp.resolve("p");
        posix.mknod(fifo, PosixFiles.S_IFIFO | 0644, 0);
        posix.setXattr(tmp, "user.dir", new byte[] {7});
        assertEquals(Map.of(), XattrReader.system().read(fifo, FileType.FIFO, "/p"));
        assertArrayEquals(new byte[] {7}, XattrReader.system().read(tmp, FileType.DIRECTORY, "/").get("user.dir"));
    }

    @Test
    void aDirectorysAttributeChange_afterItsDigestWasCached_changesTheChecksum() throws Exception {
        PosixFiles posix = PosixFiles.system();
        Path ctx = Files.createDirectory(tmp.resolve("ctx"));
        Path dir = Files.createDirectory(ctx.resolve("d"));
        Files.writeString(dir.resolve("f"), "data");
        ChecksumCache cache = ChecksumCache.inMemory(100);
        Digest before = checksumOf(ctx, "d", cache);
        posix.setXattr(dir, "user.origin", "test".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Digest after = checksumOf(ctx, "d", cache);
        assertNotEquals(before, after, "the xattr moved the directory's ctime, so its cached header is not reused");
        assertEquals(checksumOf(ctx, "d", ChecksumCache.inMemory(100)), after);
    }

    @Test
    void aCachedRechecksumOfADirectory_readsNoAttributes() throws Exception {
        Path ctx = Files.createDirectory(tmp.resolve("ctx"));
        Path dir = Files.createDirectories(ctx.resolve("d").resolve("e"));
        Files.writeString(dir.resolve("f"), "data");
        ChecksumCache cache = ChecksumCache.inMemory(100);
        Digest first = checksumOf(ctx, "d", cache);
        // A fresh CLI process would load the native binding (jnr-ffi) for this read; a cached build must not need it.
        PosixFiles refusing = (PosixFiles) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {PosixFiles.class}, (proxy, method, args) -> {
                    throw new AssertionError("read " + method.getName() + " although every record was cached");
                });
        ContextChecksummer noAttributes = new ContextChecksummer(cache, true, LATER, RecordDigester.PARALLEL_RECORDS,
                XattrReader.using(refusing));
        assertEquals(first, noAttributes.checksum(ContextSnapshot.scan(ctx, PatternMatcher.of(List.of())),
                Selector.copySource("d", List.of())));
    }

    private static Digest checksumOf(Path ctx, String path, ChecksumCache cache) throws Exception {
        return new ContextChecksummer(cache, true, LATER).checksum(
                ContextSnapshot.scan(ctx, PatternMatcher.of(List.of())), Selector.copySource(path, List.of()));
    }
}
