package dev.wharf.grammar.parser;

import java.util.Objects;

/**
 * A here-document attached to an instruction ({@code RUN <<EOF}, {@code COPY <<A <<B /dest}).
 *
 * <p>Immutable and thread-safe. {@code content} is the raw body, every line with its {@code \n}; {@code expand}
 * is false when the delimiter was quoted; {@code chomp} is true for {@code <<-}, whose leading tabs are removed
 * by the instruction layer (BuildKit: COPY chomps at instruction time, RUN keeps the flag);
 * {@code fileDescriptor} is the {@code N} of {@code N<<WORD}, 0 when absent.
 */
public record Heredoc(String name, String content, boolean expand, boolean chomp, int fileDescriptor) {
    public Heredoc {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
    }
}
