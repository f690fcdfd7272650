package dev.wharf.builder.plan;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves WORKDIR paths as BuildKit does on Linux ({@code system.NormalizeWorkdir} and {@code NormalizePath},
 * util/system/path.go): a relative path is joined to the current directory and cleaned; an absolute one is kept
 * as written (not cleaned).
 *
 * <p>Stateless and thread-safe.
 */
final class Workdirs {

    private Workdirs() {
    }

    /** The working directory after {@code WORKDIR requested} in {@code current} ("" meaning {@code /}). */
    static String resolve(String current, String requested) {
        String parent = current.isEmpty() ? "/" : current;
        if (!parent.startsWith("/")) {
            parent = join("/", parent);
        }
        String path = requested.isEmpty() ? parent : requested;
        if (!path.startsWith("/")) {
            path = join(parent, path);
        }
        return path;
    }

    /** Go's {@code path.Join} for an absolute first element: joined with {@code /} and cleaned. */
    static String join(String first, String second) {
        return clean(first + "/" + second);
    }

    /** Go's {@code path.Clean} for absolute paths. */
    static String clean(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }
}
