package dev.wharf.layers.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The tally of a seeded fuzz test: inputs accepted, inputs rejected with the module's own error type (which must carry
 * a message), and the first crashes (anything else), each with its seed, top frames and input. Mutable, not
 * thread-safe: one per test.
 */
public final class FuzzOutcomes {
    private static final int KEPT_CRASHES = 10;

    /** One input's work: returns normally when the input is accepted. */
    public interface Attempt {
        void run() throws Exception;
    }

    private final Class<? extends Exception> expected;
    private final List<String> crashes = new ArrayList<>();
    private int accepted;
    private int rejected;
    private int crashed;

    public FuzzOutcomes(Class<? extends Exception> expected) {
        this.expected = expected;
    }

    /** Runs one input; {@code input} describes it, only asked for when it crashed. */
    public void attempt(long seed, Supplier<String> input, Attempt attempt) {
        try {
            attempt.run();
            accepted++;
        } catch (Throwable t) {
            if (expected.isInstance(t) && t.getMessage() != null && !t.getMessage().isBlank()) {
                rejected++;
                return;
            }
            crashed++;
            if (crashes.size() < KEPT_CRASHES) {
                StackTraceElement[] frames = t.getStackTrace();
                crashes.add("seed " + seed + " threw " + t + " at "
                        + Arrays.toString(Arrays.copyOf(frames, Math.min(4, frames.length))) + "\n  input: "
                        + input.get());
            }
        }
    }

    /** Fails with the kept crashes, if any; then requires both outcomes to have occurred. */
    public void assertOnlyExpectedOutcomes() {
        if (crashed > 0) {
            fail(crashed + " inputs crashed; the first:\n" + String.join("\n", crashes));
        }
        assertTrue(accepted > 0 && rejected > 0, "mutations exercise both outcomes: " + this);
    }

    public int accepted() {
        return accepted;
    }

    public int rejected() {
        return rejected;
    }

    @Override
    public String toString() {
        return accepted + " accepted, " + rejected + " rejected with " + expected.getSimpleName();
    }
}
