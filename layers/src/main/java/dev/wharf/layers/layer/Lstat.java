package dev.wharf.layers.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/** What is at a path, its last component not followed: how an apply looks before it replaces or removes. */
final class Lstat {
    private Lstat() {
    }

    /** The attributes of what is at {@code path}; empty when nothing is. */
    static Optional<BasicFileAttributes> of(Path path) throws IOException {
        try {
            return Optional.of(Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
