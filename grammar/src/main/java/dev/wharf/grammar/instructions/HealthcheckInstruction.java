package dev.wharf.grammar.instructions;

import java.util.Objects;

/**
 * {@code HEALTHCHECK [flags] CMD command} or {@code HEALTHCHECK NONE}: BuildKit's {@code HealthCheckCommand}.
 *
 * <p>Immutable and thread-safe.
 */
public record HealthcheckInstruction(Origin origin, Healthcheck health) implements Instruction {
    public HealthcheckInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(health, "health");
    }
}
