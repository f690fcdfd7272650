package dev.wharf.grammar.instructions;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A health check configuration as the image config stores it (docker-image-spec {@code HealthcheckConfig}):
 * {@code test} is {@code ["NONE"]}, {@code ["CMD", args…]} (exec form) or {@code ["CMD-SHELL", "command"]}
 * (shell form). A zero duration or retry count means "inherit the default".
 *
 * <p>Immutable and thread-safe.
 */
public record Healthcheck(List<String> test, Duration interval, Duration timeout, Duration startPeriod,
                          Duration startInterval, int retries) {
    public Healthcheck {
        test = List.copyOf(test);
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(startPeriod, "startPeriod");
        Objects.requireNonNull(startInterval, "startInterval");
    }

    /** {@code HEALTHCHECK NONE}: disables any inherited check. */
    public static Healthcheck none() {
        return new Healthcheck(List.of("NONE"), Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
    }
}
