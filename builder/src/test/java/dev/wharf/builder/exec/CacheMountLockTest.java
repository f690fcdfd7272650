package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BuildKit's sharing of a cache ref (solver/llbsolver/mounts/mount.go) between the users of one JVM. */
class CacheMountLockTest {
    @TempDir
    Path dir;

    @Test
    void sharedUsersJoin_butNotWhileALockedOrPrivateUserHoldsTheCache() throws Exception {
        Path file = dir.resolve("c.lock");
        Optional<CacheMountLock.Held> first = new CacheMountLock(file).tryShared();
        Optional<CacheMountLock.Held> second = new CacheMountLock(file).tryShared();
        assertTrue(first.isPresent() && second.isPresent(), "shared users use the cache together");
        assertTrue(new CacheMountLock(file).tryExclusive().isEmpty(), "a private user gets another cache");
        first.get().close();
        second.get().close();
        second.get().close(); // a second close ends nothing more

        try (CacheMountLock.Held locked = new CacheMountLock(file).exclusive()) {
            assertTrue(new CacheMountLock(file).tryShared().isEmpty(), "a shared user gets another cache");
            assertTrue(new CacheMountLock(file).tryExclusive().isEmpty());
        }
        Optional<CacheMountLock.Held> after = new CacheMountLock(file).tryShared();
        assertTrue(after.isPresent(), "free again once the locked user is done");
        after.get().close();
    }

    @Test
    void aLockedUserWaitsUntilTheLastSharedUserIsDone() throws Exception {
        Path file = dir.resolve("w.lock");
        CacheMountLock.Held shared = new CacheMountLock(file).tryShared().orElseThrow();
        AtomicBoolean released = new AtomicBoolean();
        AtomicBoolean sawReleased = new AtomicBoolean();
        Thread waiter = new Thread(() -> {
            try (CacheMountLock.Held locked = new CacheMountLock(file).exclusive()) {
                sawReleased.set(released.get());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        waiter.start();
        released.set(true);
        shared.close();
        waiter.join();
        assertEquals(true, sawReleased.get(), "the locked user took the cache only after the shared one left");
    }
}
