package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelCopiesTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void drain_waitsForEveryCopy_andInPlaceRunsTheRestOnTheCallingThread() throws Exception {
        AtomicInteger done = new AtomicInteger();
        try (ParallelCopies copies = new ParallelCopies(pool)) {
            for (int i = 0; i < 1000; i++) {
                copies.submit(done::incrementAndGet);
            }
            copies.drain();
            assertEquals(1000, done.get());
            copies.inPlace();
            Thread caller = Thread.currentThread();
            copies.submit(() -> assertSame(caller, Thread.currentThread()));
        }
    }

    @Test
    void aFailedCopy_surfacesFromDrain_andCloseSkipsTheCopiesNotStarted() throws Exception {
        IOException failure = new IOException("disk full");
        AtomicInteger ran = new AtomicInteger();
        ParallelCopies copies = new ParallelCopies(pool);
        copies.submit(() -> {
            throw failure;
        });
        assertSame(failure, assertThrows(IOException.class, copies::drain));
        copies.close();
        copies.submit(ran::incrementAndGet);
        copies.close();
        assertEquals(0, ran.get(), "a copy submitted after close did not run");
    }
}
