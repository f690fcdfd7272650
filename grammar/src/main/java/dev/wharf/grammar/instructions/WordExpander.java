package dev.wharf.grammar.instructions;

import dev.wharf.grammar.DockerfileException;

/**
 * Expands variables in one word (BuildKit's {@code SingleWordExpander}); supplied by the build layer.
 *
 * <p>Implementations should be thread-safe if shared.
 */
@FunctionalInterface
public interface WordExpander {
    /** The word with its variables expanded. */
    String expand(String word) throws DockerfileException;
}
