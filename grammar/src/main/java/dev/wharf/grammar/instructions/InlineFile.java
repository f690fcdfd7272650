package dev.wharf.grammar.instructions;

import java.util.Objects;

/**
 * A here-document given to a RUN (or CMD/ENTRYPOINT) command: BuildKit's {@code ShellInlineFile}. The data is
 * raw; {@code chomp} says leading tabs are still to be removed ({@code <<-}).
 *
 * <p>Immutable and thread-safe.
 */
public record InlineFile(String name, String data, boolean chomp) {
    public InlineFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
    }
}
