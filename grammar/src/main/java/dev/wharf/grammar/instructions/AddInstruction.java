package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code ADD [--chown=…] [--chmod=…] [--link] [--keep-git-dir[=bool]] [--checksum=…] [--unpack[=bool]]
 * [--exclude=…] src… dest}: BuildKit's {@code AddCommand}. ADD has no {@code --from} and no {@code --parents}.
 * {@code keepGitDir} and {@code unpack} are empty when the flag was not given (upstream's nil pointers).
 *
 * <p>Immutable and thread-safe.
 */
public record AddInstruction(Origin origin, SourcesAndDest files, Optional<Word> chown, Optional<Word> chmod,
                             boolean link, Optional<Boolean> keepGitDir, Optional<Word> checksum,
                             Optional<Boolean> unpack, List<Word> excludes) implements Instruction {
    public AddInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(chown, "chown");
        Objects.requireNonNull(chmod, "chmod");
        Objects.requireNonNull(keepGitDir, "keepGitDir");
        Objects.requireNonNull(checksum, "checksum");
        Objects.requireNonNull(unpack, "unpack");
        excludes = List.copyOf(excludes);
    }
}
