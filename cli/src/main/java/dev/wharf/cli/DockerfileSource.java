package dev.wharf.cli;

import dev.wharf.grammar.DockerfileText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** A Dockerfile read from a file or from standard input ({@code -}), with the name errors should use. */
record DockerfileSource(String name, String text) {

    static DockerfileSource read(String argument, InputStream stdin) throws IOException {
        if ("-".equals(argument)) {
            return new DockerfileSource("-", DockerfileText.read(stdin));
        }
        return new DockerfileSource(argument, DockerfileText.read(Path.of(argument)));
    }
}
