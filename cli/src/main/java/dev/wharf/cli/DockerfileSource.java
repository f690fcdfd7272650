package dev.wharf.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A Dockerfile read from a file or from standard input ({@code -}), with the name errors should use. */
record DockerfileSource(String name, String text) {

    static DockerfileSource read(String argument, InputStream stdin) throws IOException {
        if ("-".equals(argument)) {
            return new DockerfileSource("-", new String(stdin.readAllBytes(), StandardCharsets.UTF_8));
        }
        Path path = Path.of(argument);
        // Decode leniently: a stray invalid byte is the parser's to report, not an I/O failure.
        return new DockerfileSource(argument, new String(Files.readAllBytes(path), StandardCharsets.UTF_8));
    }
}
