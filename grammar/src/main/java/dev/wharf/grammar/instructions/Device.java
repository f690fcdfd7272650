package dev.wharf.grammar.instructions;

import java.util.Objects;

/**
 * A {@code RUN --device=name[,required[=bool]]} request (CDI device name): BuildKit's {@code Device}.
 *
 * <p>Immutable and thread-safe.
 */
public record Device(String name, boolean required) {
    public Device {
        Objects.requireNonNull(name, "name");
    }
}
