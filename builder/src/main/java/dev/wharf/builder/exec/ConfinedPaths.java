package dev.wharf.builder.exec;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a path inside a directory as if that directory were the root of a chroot, following symlinks, the last
 * component's too: an absolute target restarts at the directory, {@code ..} stops at it. This is how BuildKit reads
 * a file from a snapshot (containerd's {@code fs.RootPath}) and how fsutil's FollowLinks resolves the Dockerfile's
 * symlinks when the client sends it, so a Dockerfile that links outside its directory (or its context) is not found,
 * as with {@code docker build}, instead of read from the host. Stateless.
 */
final class ConfinedPaths {
    /** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS). */
    private static final int MAX_SYMLINKS = 40;

    private ConfinedPaths() {
    }

    /**
     * The host path of {@code path} (relative to {@code root}, or absolute from it) with every symlink resolved
     * inside {@code root}; a missing component ends the resolution, the rest appended as written (cleaned).
     *
     * @throws IOException when a symlink cannot be read, or after too many of them
     */
    static Path resolve(Path root, String path) throws IOException {
        Deque<String> pending = new ArrayDeque<>(components(path));
        List<String> resolved = new ArrayList<>();
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.pollFirst();
            if (part.equals("..")) {
                if (!resolved.isEmpty()) {
                    resolved.remove(resolved.size() - 1);
                }
                continue;
            }
            Path candidate = join(root, resolved).resolve(part);
            if (!Files.isSymbolicLink(candidate)) {
                resolved.add(part);
                continue;
            }
            if (++links > MAX_SYMLINKS) {
                throw new FileSystemException(path, null, "too many levels of symbolic links");
            }
            String target = Files.readSymbolicLink(candidate).toString();
            if (target.startsWith("/")) {
                resolved.clear();
            }
            List<String> parts = components(target);
            for (int i = parts.size() - 1; i >= 0; i--) {
                pending.addFirst(parts.get(i));
            }
        }
        return join(root, resolved);
    }

    private static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                out.add(part);
            }
        }
        return out;
    }

    private static Path join(Path root, List<String> parts) {
        Path p = root;
        for (String part : parts) {
            p = p.resolve(part);
        }
        return p;
    }
}
