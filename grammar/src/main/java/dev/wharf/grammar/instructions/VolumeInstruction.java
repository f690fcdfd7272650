package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Objects;

/**
 * {@code VOLUME path …} or {@code VOLUME ["path"]}: BuildKit's {@code VolumeCommand}; paths trimmed, raw.
 *
 * <p>Immutable and thread-safe.
 */
public record VolumeInstruction(Origin origin, List<Word> volumes) implements Instruction {
    public VolumeInstruction {
        Objects.requireNonNull(origin, "origin");
        volumes = List.copyOf(volumes);
    }
}
