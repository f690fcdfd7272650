package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code COPY [--from=…] [--chown=…] [--chmod=…] [--link] [--parents] [--exclude=…] src… dest}: BuildKit's
 * {@code CopyCommand}. Flag values are raw (expanded later), each with the position of its flag.
 *
 * <p>Immutable and thread-safe.
 */
public record CopyInstruction(Origin origin, SourcesAndDest files, Optional<Word> from, Optional<Word> chown,
                              Optional<Word> chmod, boolean link, boolean parents, List<Word> excludes)
        implements Instruction {
    public CopyInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(chown, "chown");
        Objects.requireNonNull(chmod, "chmod");
        excludes = List.copyOf(excludes);
    }
}
