package dev.wharf.grammar.instructions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.Conformance;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.parser.DockerfileParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Dockerfile of the conformance corpus and of testdata that reads survives encoding unchanged (the parse
 * cache relies on it), and damaged bytes are refused with an IOException, never decoded into something else.
 */
class DockerfileCodecTest {

    private static List<Path> dockerfiles() throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path root : List.of(Conformance.buildkit().resolve("parser"), Path.of("..", "testdata"))) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.getFileName().toString().startsWith("Dockerfile") && Files.isRegularFile(p))
                        .sorted().forEach(found::add);
            }
        }
        return found;
    }

    private static Dockerfile read(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        try {
            return DockerfileReader.read("Dockerfile", DockerfileParser.parse("Dockerfile", text));
        } catch (DockerfileException e) {
            return null;
        }
    }

    @Test
    void everyReadableDockerfileRoundTrips() throws IOException {
        int checked = 0;
        for (Path file : dockerfiles()) {
            Dockerfile dockerfile = read(file);
            if (dockerfile == null) {
                continue;
            }
            byte[] bytes = DockerfileCodec.encode(dockerfile);
            Dockerfile back = DockerfileCodec.decode(bytes);
            assertEquals(dockerfile, back, file.toString());
            assertArrayEquals(bytes, DockerfileCodec.encode(back), file.toString());
            checked++;
        }
        assertTrue(checked > 100, "only " + checked + " Dockerfiles read");
    }

    @Test
    void warningsAndLocationsSurvive() throws IOException, DockerfileException {
        String text = "FROM busybox as base\nARG A\nRUN echo a \\\n\n  b\nCOPY --chmod=0755 a /b\nRUN <<EOF\necho \"$A\"\nEOF\n"
                + "HEALTHCHECK --interval=5s CMD true\nEXPOSE 80/udp\nCMD echo hi\n";
        Dockerfile dockerfile = DockerfileReader.read("Dockerfile", DockerfileParser.parse("Dockerfile", text));
        assertTrue(!dockerfile.warnings().isEmpty(), "the empty continuation line should warn");
        Dockerfile back = DockerfileCodec.decode(DockerfileCodec.encode(dockerfile));
        assertEquals(dockerfile, back);
        assertEquals(dockerfile.warnings(), back.warnings());
        assertEquals(dockerfile.stages().get(0).commands().get(3).origin().range(),
                back.stages().get(0).commands().get(3).origin().range());
    }

    @Test
    void truncatedBytesAreRefused() throws IOException {
        Dockerfile dockerfile = read(Path.of("..", "testdata", "examples", "hello", "Dockerfile"));
        byte[] bytes = DockerfileCodec.encode(dockerfile);
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThrows(IOException.class, () -> DockerfileCodec.decode(cut), "length " + length);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(IOException.class, () -> DockerfileCodec.decode(longer));
    }

    @Test
    void damagedBytesAreRefusedOrDecodeCleanly() throws IOException {
        Dockerfile dockerfile = read(Path.of("..", "testdata", "examples", "hello", "Dockerfile"));
        byte[] bytes = DockerfileCodec.encode(dockerfile);
        // A flipped byte may still decode (a changed character in a string: the cache's checksum catches that);
        // what must never happen is another exception than IOException.
        for (int i = 0; i < bytes.length; i++) {
            byte[] damaged = bytes.clone();
            damaged[i] ^= 0x5a;
            try {
                DockerfileCodec.decode(damaged);
            } catch (IOException expected) {
                // refused
            }
        }
    }

    @Test
    void classesOutsideTheModelAreNeverInstantiated() throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        out.writeInt(0x57444631);
        out.writeByte(12); // a record
        out.writeInt("java.lang.Thread".length());
        out.writeChars("java.lang.Thread");
        out.writeInt(0);
        IOException e = assertThrows(IOException.class, () -> DockerfileCodec.decode(bytes.toByteArray()));
        assertTrue(e.getMessage().contains("not a model class"), e.getMessage());
    }
}
