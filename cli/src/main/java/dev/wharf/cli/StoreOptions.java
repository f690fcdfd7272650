package dev.wharf.cli;

import dev.wharf.builder.api.EngineOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command using the local store shares: {@code --root} and {@code --runtime}. */
final class StoreOptions {
    @Option(names = "--root", paramLabel = "DIR",
            description = "The store root (default: $WHARF_ROOT, else $XDG_DATA_HOME/wharf, else "
                    + "~/.local/share/wharf).")
    Path root;

    @Option(names = "--runtime", paramLabel = "RUNTIME", defaultValue = "auto",
            description = "The sandbox for RUN steps: auto, runc, crun or builtin (default: ${DEFAULT-VALUE}).")
    String runtime;

    /** The engine options these flags select; the environment is read here, the CLI's seam. */
    EngineOptions engineOptions() {
        Path store = root != null ? root.toAbsolutePath()
                : EngineOptions.defaultStoreRoot(System.getenv(), Path.of(System.getProperty("user.home")));
        return EngineOptions.of(store).withRuntime(runtime);
    }
}
