package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.grammar.SourceRange;
import org.junit.jupiter.api.Test;

/** Instructions shown as BuildKit's parser keeps them (Node.Original). */
class DockerfileTextTest {
    @Test
    void continuationsAreJoinedWithTheirBlanks_commentAndBlankLinesSkipped() {
        DockerfileText text = DockerfileText.of("Dockerfile", "FROM x\nRUN echo a \\\n  # note\n\n  && echo b\n");
        assertEquals('\\', text.escape());
        assertEquals("RUN echo a   && echo b", text.text(SourceRange.ofLines(2, 5)));
    }

    @Test
    void theEscapeDirective_setsTheContinuationCharacter() {
        DockerfileText text = DockerfileText.of("Dockerfile", "# escape=`\nFROM x\nRUN echo a `\n  b\n");
        assertEquals('`', text.escape());
        assertEquals("RUN echo a   b", text.text(SourceRange.ofLines(3, 4)));
    }

    @Test
    void aDirectiveAfterTheFirstInstruction_isAComment() {
        assertEquals('\\', DockerfileText.of("Dockerfile", "FROM x\n# escape=`\n").escape());
    }
}
