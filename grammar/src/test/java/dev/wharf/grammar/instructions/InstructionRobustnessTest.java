package dev.wharf.grammar.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.Conformance;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.grammar.parser.ParseResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Bad input must only ever yield {@link DockerfileException}: every conformance Dockerfile, and seeded random
 * mutations of them (fragments that stress flags, heredocs and arguments spliced in), go through the parser and
 * then the instruction layer.
 */
class InstructionRobustnessTest {

    private static final List<String> FRAGMENTS = List.of("--", "--mount=", "--mount=type=secret", "--network=",
            "--from=", "--chmod", "--interval=1", "--retries=-9", "<<EOF", "<<-'X'", " AS ", "\"", "'", "\\", "=",
            "[\"a\", 1]", "[]", "ONBUILD ", "HEALTHCHECK ", "COPY ", "ARG =", "ENV ", "FROM ", "\n", "\t", ",", "$");

    private static List<Path> dockerfiles() throws IOException {
        Path testfiles = Conformance.buildkit().resolve("parser");
        try (Stream<Path> files = Files.walk(testfiles)) {
            return files.filter(p -> p.getFileName().toString().equals("Dockerfile")).sorted().toList();
        }
    }

    /** Reads {@code text}; true when it made a Dockerfile, false when it was rejected with the module's error. */
    private static boolean survives(String text) {
        ParseResult parsed;
        try {
            parsed = DockerfileParser.parse(text);
        } catch (DockerfileException e) {
            return false;
        }
        try {
            DockerfileReader.read(parsed);
            return true;
        } catch (DockerfileException e) {
            assertFalse(e.reason().isEmpty(), "error without a reason");
            assertTrue(e.range().isPresent(), () -> "error without a position: " + e.reason());
            return false;
        }
    }

    @Test
    void conformanceDockerfilesReadOrFailCleanly() throws IOException {
        List<Path> files = dockerfiles();
        int read = 0;
        for (Path file : files) {
            if (survives(Files.readString(file, StandardCharsets.UTF_8))) {
                read++;
            }
        }
        System.out.println("instruction layer over conformance Dockerfiles: " + read + " read, "
                + (files.size() - read) + " rejected");
        assertEquals(38, files.size());
        assertTrue(read > 0);
    }

    @Test
    void randomMutationsNeverEscapeAsOtherExceptions() throws IOException {
        Random random = new Random(20261127L);
        int read = 0;
        int total = 0;
        for (Path file : dockerfiles()) {
            String original = Files.readString(file, StandardCharsets.UTF_8);
            for (int i = 0; i < 60; i++) {
                StringBuilder text = new StringBuilder(original);
                for (int m = 0; m < 1 + random.nextInt(4); m++) {
                    int at = text.length() == 0 ? 0 : random.nextInt(text.length() + 1);
                    if (random.nextBoolean() && text.length() > 0 && at < text.length()) {
                        text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(6)));
                    } else {
                        text.insert(at, FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
                    }
                }
                total++;
                if (survives(text.toString())) {
                    read++;
                }
            }
        }
        System.out.println("instruction layer over mutated Dockerfiles: " + read + " read, " + (total - read)
                + " rejected, 0 crashed");
        assertTrue(total > 1000);
    }
}
