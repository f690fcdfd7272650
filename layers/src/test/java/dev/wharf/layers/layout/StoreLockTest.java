package dev.wharf.layers.layout;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class StoreLockTest {
    @TempDir
    Path dir;

    @Test
    void acquire_twiceOnOneThreadIsAProgrammingError() throws Exception {
        StoreLock lock = new StoreLock(dir.resolve("wharf.lock"));
        try (StoreLock.Held held = lock.acquire()) {
            assertThrows(IllegalStateException.class, lock::acquire);
        }
        try (StoreLock.Held again = lock.acquire()) {
            assertTrue(dir.resolve("wharf.lock").toFile().exists());
        }
    }

    @Test
    @Timeout(30)
    void secondInstanceInTheSameJvm_waitsUntilTheFirstReleases() throws Exception {
        StoreLock first = new StoreLock(dir.resolve("wharf.lock"));
        StoreLock second = new StoreLock(dir.resolve("wharf.lock"));
        AtomicBoolean acquired = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        StoreLock.Held held = first.acquire();
        Thread waiter = new Thread(() -> {
            try (StoreLock.Held h = second.acquire()) {
                acquired.set(true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                done.countDown();
            }
        });
        waiter.start();
        assertFalse(done.await(200, TimeUnit.MILLISECONDS), "second instance got the lock while the first held it");
        assertFalse(acquired.get());
        held.close();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertTrue(acquired.get());
        held.close(); // a second close is harmless
        waiter.join();
    }

    @Test
    @Timeout(30)
    void tryAcquire_givesNothingWhileAnotherThreadHoldsTheLock_andTheLockOnceReleased() throws Exception {
        StoreLock lock = new StoreLock(dir.resolve("cache.lock"));
        StoreLock.Held held = lock.acquire();
        java.util.concurrent.atomic.AtomicReference<Boolean> got = new java.util.concurrent.atomic.AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                var h = new StoreLock(dir.resolve("cache.lock")).tryAcquire();
                got.set(h.isPresent());
                h.ifPresent(StoreLock.Held::close);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        other.start();
        other.join();
        assertFalse(got.get(), "tryAcquire took a lock another thread held");
        held.close();
        try (StoreLock.Held again = lock.tryAcquire().orElseThrow()) {
            assertTrue(dir.resolve("cache.lock").toFile().exists());
        }
    }
}
