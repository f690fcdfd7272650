package dev.wharf.grammar.parser;

import dev.wharf.grammar.SourceRange;

/**
 * A problem the parser tolerates but reports, like BuildKit's "Empty continuation line found in: ...".
 *
 * <p>Immutable and thread-safe.
 */
public record Warning(String message, String detail, String url, SourceRange range) {
}
