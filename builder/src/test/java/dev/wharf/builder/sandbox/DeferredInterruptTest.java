package dev.wharf.builder.sandbox;

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
        try (DeferredInterrupt deferred = DeferredInterrupt.setAside()) {
            assertFalse(deferred.interrupted());
            Thread.currentThread().interrupt();
            deferred.sleep(600_000); // returns at once: the interrupt is pending
            assertFalse(Thread.currentThread().isInterrupted());
            assertTrue(deferred.interrupted());
        }
        assertTrue(Thread.interrupted());
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
