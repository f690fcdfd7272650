package dev.wharf.grammar.instructions;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.parser.Word;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code RUN [--mount=…] [--network=…] [--security=…] [--device=…] command}: BuildKit's {@code RunCommand}.
 *
 * <p>Mount specifications are kept raw, because BuildKit expands variables in them before it validates them
 * fully; at parse time it only checks the CSV syntax and that {@code from} holds no variable. Get typed mounts
 * with {@link #mounts(WordExpander)} (or {@link #literalMounts()} when the values hold no variables).
 *
 * <p>Immutable and thread-safe.
 *
 * @param command    the command line with its here-documents
 * @param mountSpecs the {@code --mount} values in order, each with the position of its flag
 * @param network    the {@code --network} mode (default {@code default})
 * @param security   the {@code --security} mode (default {@code sandbox})
 * @param devices    the {@code --device} values, parsed
 * @param flagsUsed  the names of the flags given, in order of first use
 */
public record RunInstruction(Origin origin, CommandLine command, List<Word> mountSpecs, NetworkMode network,
                             SecurityMode security, List<Device> devices, List<String> flagsUsed)
        implements Instruction {

    public RunInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(command, "command");
        mountSpecs = List.copyOf(mountSpecs);
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(security, "security");
        devices = List.copyOf(devices);
        flagsUsed = List.copyOf(flagsUsed);
    }

    /** The mounts with every value expanded by {@code expander} and validated as BuildKit does. */
    public List<Mount> mounts(WordExpander expander) throws DockerfileException {
        Objects.requireNonNull(expander, "expander");
        List<Mount> mounts = new ArrayList<>();
        for (Word spec : mountSpecs) {
            try {
                mounts.add(MountParser.parse(spec.text(), expander));
            } catch (DockerfileException e) {
                throw Errors.at(spec.range(), e);
            }
        }
        return List.copyOf(mounts);
    }

    /** The mounts with values taken literally (no variable expansion). */
    public List<Mount> literalMounts() throws DockerfileException {
        return mounts(word -> word);
    }
}
