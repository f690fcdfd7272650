package dev.wharf.grammar.instructions;

import dev.wharf.grammar.SourceRange;
import java.util.Objects;

/**
 * A COPY/ADD source given inline as a here-document ({@code COPY <<EOF /dest}): BuildKit's
 * {@code SourceContent}. {@code path} is the heredoc name; {@code data} its body, with leading tabs already
 * removed for {@code <<-}; {@code expand} false when the name was quoted.
 *
 * <p>Immutable and thread-safe.
 */
public record SourceContent(String path, String data, boolean expand, SourceRange range) {
    public SourceContent {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(range, "range");
    }
}
