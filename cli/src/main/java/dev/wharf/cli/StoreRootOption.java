package dev.wharf.cli;

import dev.wharf.layers.store.StoreRoot;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --root} option of the commands that use only the image store (no sandbox): inspect, tag, rmi, load,
 * save and prune. The same flag as {@link StoreOptions}, without {@code --runtime}, which these commands ignore.
 */
final class StoreRootOption {
    @Option(names = "--root", paramLabel = "DIR",
            description = "The store root (default: $WHARF_ROOT, else $XDG_DATA_HOME/wharf, else "
                    + "~/.local/share/wharf).")
    Path root;

    /** The store root these flags select; the environment is read here, the CLI's seam. */
    Path resolve() {
        return root != null ? root.toAbsolutePath()
                : StoreRoot.resolve(System.getenv(), Path.of(System.getProperty("user.home")));
    }
}
