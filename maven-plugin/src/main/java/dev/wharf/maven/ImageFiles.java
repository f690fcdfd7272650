package dev.wharf.maven;

import dev.wharf.builder.api.BuildResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes what a build produced where later tools can read it: the manifest digest to {@code digest} and the image id
 * (config digest) to {@code id}, in one directory ({@code target/wharf}), each without a trailing newline, like
 * Jib's {@code jib-image.digest}.
 *
 * <p>Stateless and thread-safe.
 */
final class ImageFiles {
    static final String DIGEST = "digest";
    static final String ID = "id";

    private ImageFiles() {
    }

    static void write(Path directory, BuildResult result) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(DIGEST), result.imageDigest(), StandardCharsets.UTF_8);
        Files.writeString(directory.resolve(ID), result.imageId(), StandardCharsets.UTF_8);
    }
}
