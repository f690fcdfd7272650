package dev.wharf.context.checksum;

import java.util.List;
import java.util.Objects;

/**
 * What one COPY/ADD source asks the checksummer for (BuildKit's opsutils.Selector and contenthash.ChecksumOpts):
 * a path inside the context, whether it may contain wildcards, whether a final symlink is followed, and the
 * include/exclude patterns of {@code --parents} and {@code --exclude}. Immutable.
 *
 * @param path source path as written, relative to the context root
 * @param wildcard whether {@code path} is a Go glob (set only when it contains {@code * ? [})
 * @param followLinks whether a symlink named by {@code path} (or matched by it) is followed
 * @param requiredPaths absolute paths that must be among the included ones ({@code COPY --parents} without
 *                      wildcards), else the checksum fails with "not found"
 */
public record Selector(String path, boolean wildcard, boolean followLinks, List<String> includePatterns,
                       List<String> excludePatterns, List<String> requiredPaths) {

    public Selector {
        Objects.requireNonNull(path, "path");
        includePatterns = List.copyOf(includePatterns);
        excludePatterns = List.copyOf(excludePatterns);
        requiredPaths = List.copyOf(requiredPaths);
    }

    /** A selector without required paths. */
    public Selector(String path, boolean wildcard, boolean followLinks, List<String> includePatterns,
                    List<String> excludePatterns) {
        this(path, wildcard, followLinks, includePatterns, excludePatterns, List.of());
    }

    /** A COPY source from the local context as BuildKit's Dockerfile front end sets it up: links followed. */
    public static Selector copySource(String path, List<String> excludePatterns) {
        return new Selector(path, containsWildcards(path), true, List.of(), excludePatterns);
    }

    /** BuildKit's containsWildcards (solver/llbsolver/ops/file.go): {@code * ? [} not escaped by a backslash. */
    public static boolean containsWildcards(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?' || c == '[') {
                return true;
            }
        }
        return false;
    }

    boolean hasWildcardOrFilters() {
        return wildcard || !includePatterns.isEmpty() || !excludePatterns.isEmpty();
    }
}
