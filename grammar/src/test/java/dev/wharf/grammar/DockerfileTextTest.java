package dev.wharf.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.grammar.parser.DockerfileParser;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerfileTextTest {
    @TempDir
    Path dir;

    @Test
    void invalidUtf8_isReplaced_notAnError() throws Exception {
        byte[] bytes = {'F', 'R', 'O', 'M', ' ', 'a', (byte) 0xFF, '\n'};
        assertEquals("FROM a\uFFFD\n", DockerfileText.decode(bytes));
        assertEquals("FROM a\uFFFD\n", DockerfileText.read(Files.write(dir.resolve("Dockerfile"), bytes)));
        assertEquals("FROM a\uFFFD\n", DockerfileText.read(new ByteArrayInputStream(bytes)));
    }

    @Test
    void aByteOrderMark_staysForTheParser_whichDropsIt() throws Exception {
        String text = DockerfileText.decode(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'F', 'R', 'O', 'M',
            ' ', 'a', '\n'});
        assertEquals("\uFEFFFROM a\n", text);
        assertEquals("FROM a", DockerfileParser.parse(text).children().get(0).original());
    }
}
