package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeferredInterruptTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void anInterruptSetBeforeIsClearedDuringTheWorkAndSetAgainAfter() {
        Thread.currentThread().interrupt();
        try (DeferredInterrupt deferred = DeferredInterrupt.setAside()) {
            assertFalse(Thread.currentThread().isInterrupted());
            assertTrue(deferred.interrupted());
        }
        assertTrue(Thread.interrupted());
    }

    @Test
    void anInterruptDuringASleepEndsTheSleepAndIsSetAfterTheWork() {
        boolean[] seen = new boolean[3];
        try (DeferredInterrupt deferred = DeferredInterrupt.setAside()) {
            seen[0] = deferred.interrupted();
            Thread.currentThread().interrupt();
            deferred.sleep(600_000); // returns at once: the interrupt is pending
            seen[1] = Thread.currentThread().isInterrupted();
            seen[2] = deferred.interrupted();
        }
        assertTrue(Thread.interrupted(), "set again after the work");
        assertArrayEquals(new boolean[] {false, false, true}, seen, "none before, cleared by the sleep, noted");
    }

    @Test
    void anInterruptNotedAsArrivedIsSetAfterTheWork() {
        try (DeferredInterrupt deferred = DeferredInterrupt.setAside()) {
            deferred.arrived();
        }
        assertTrue(Thread.interrupted());
    }

    @Test
    void noInterruptLeavesTheThreadUninterrupted() {
        try (DeferredInterrupt deferred = DeferredInterrupt.setAside()) {
            deferred.sleep(1);
        }
        assertFalse(Thread.interrupted());
    }
}
