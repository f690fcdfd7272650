package dev.wharf.builder.sandbox;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds host programs on a search path, as a shell would. Immutable and thread-safe.
 *
 * @param path the directories searched, in order
 */
public record Executables(List<Path> path) {
    public Executables {
        path = List.copyOf(path);
    }

    /** The search path of this process's {@code PATH} plus the sbin directories that root's path usually has. */
    public static Executables fromEnvironment() {
        String env = System.getenv("PATH");
        String search = (env == null ? "" : env) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        return new Executables(java.util.Arrays.stream(search.split(File.pathSeparator))
                .filter(s -> !s.isEmpty()).map(Path::of).distinct().toList());
    }

    /** The first executable regular file named {@code name}. */
    public Optional<Path> find(String name) {
        for (Path dir : path) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
