package dev.wharf.grammar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Dockerfile's bytes as the text the parser reads: UTF-8, each invalid sequence replaced by U+FFFD. The one
 * decoding of every reader ({@code wharf build} from a file, the context or standard input, {@code wharf parse}, the
 * error report's source lines), so they all see the same text. Stateless and thread-safe.
 *
 * <p>Lenient because BuildKit parses a Dockerfile's bytes whatever they are: a stray invalid byte is the parser's
 * to report (or to carry into a word), where {@code Files.readString} would fail with a bare "Input length = 1" that
 * reads as if the file were missing. A leading byte order mark stays in the text: the parser drops it
 * ({@code DockerfileParser}, as BuildKit's {@code discardBOM}).
 */
public final class DockerfileText {
    private DockerfileText() {
    }

    /** {@code bytes} decoded as UTF-8, invalid sequences replaced. */
    public static String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The whole of {@code file}, decoded. */
    public static String read(Path file) throws IOException {
        return decode(Files.readAllBytes(file));
    }

    /** All that is left of {@code in}, decoded; {@code in} is not closed. */
    public static String read(InputStream in) throws IOException {
        return decode(in.readAllBytes());
    }
}
