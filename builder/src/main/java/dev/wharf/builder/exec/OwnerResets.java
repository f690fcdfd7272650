package dev.wharf.builder.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Resets the owners of a copy of a local context to 0:0, as BuildKit's client sends a local source
 * (client/solve.go, {@code resetUIDAndGID}). Only root may do it. Stateless.
 */
final class OwnerResets {
    private OwnerResets() {
    }

    /**
     * Makes every entry of the copy {@code tree} owned by 0:0, keeping its mode: chown clears the set-id bits of a
     * file even for root, so they are set again.
     */
    static void reset(Path tree) throws IOException {
        try (var walk = Files.walk(tree)) {
            for (Path p : walk.toList()) {
                boolean link = Files.isSymbolicLink(p);
                Integer mode = link ? null : (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
                if (mode != null) {
                    Files.setAttribute(p, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }
}
