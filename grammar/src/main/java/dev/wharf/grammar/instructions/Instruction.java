package dev.wharf.grammar.instructions;

import dev.wharf.grammar.SourceRange;
import java.util.List;

/**
 * One typed Dockerfile instruction: BuildKit's {@code instructions.Command} (plus FROM, which BuildKit turns
 * into a stage). Values are raw: quotes and variables are still as written; expansion happens later.
 *
 * <p>All implementations are immutable records and thread-safe.
 */
public sealed interface Instruction permits AddInstruction, ArgInstruction, CmdInstruction, CopyInstruction,
        EntrypointInstruction, EnvInstruction, ExposeInstruction, FromInstruction, HealthcheckInstruction,
        LabelInstruction, MaintainerInstruction, OnbuildInstruction, RunInstruction, ShellInstruction,
        StopSignalInstruction, UserInstruction, VolumeInstruction, WorkdirInstruction {

    /** Where the instruction came from. */
    Origin origin();

    /** The keyword as written ({@code RUN}, {@code run}); BuildKit's {@code Command.Name()}. */
    default String name() {
        return origin().keyword().text();
    }

    /** The lines the instruction spans. */
    default SourceRange range() {
        return origin().range();
    }

    /** The comment lines directly above the instruction. */
    default List<String> comments() {
        return origin().comments();
    }

    /** The instruction kind, upper case ({@code RUN}), whatever the case it was written in. */
    default String kind() {
        String simple = getClass().getSimpleName();
        return simple.substring(0, simple.length() - "Instruction".length()).toUpperCase(java.util.Locale.ROOT);
    }
}
