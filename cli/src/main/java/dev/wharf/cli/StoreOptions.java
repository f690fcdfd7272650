package dev.wharf.cli;

import dev.wharf.builder.api.EngineOptions;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/** The options every command using the local store shares: {@code --root} and {@code --runtime}. Immutable. */
final class StoreOptions {
    /** The mixin's key in a command's model (the field name it had as an annotated mixin). */
    static final String MIXIN = "store";

    private final Path root;
    private final String runtime;

    private StoreOptions(Path root, String runtime) {
        this.root = root;
        this.runtime = runtime;
    }

    /** The model of the mixin: {@code --root} and {@code --runtime}. */
    static CommandSpec mixin() {
        CommandSpec mixin = CommandModel.emptySpec();
        mixin.addOption(StoreRootOption.rootOption());
        mixin.addOption(CommandModel.option("RUNTIME", "--runtime").defaultValue("auto")
                .description("The sandbox for RUN steps: auto, runc, crun or builtin (default: ${DEFAULT-VALUE}).")
                .build());
        return mixin;
    }

    /** What {@code spec}'s {@code --root} and {@code --runtime} were given. */
    static StoreOptions of(CommandSpec spec) {
        return new StoreOptions(CommandModel.value(spec, "--root"), CommandModel.value(spec, "--runtime"));
    }

    /** The engine options these flags select; the environment is read here, the CLI's seam. */
    EngineOptions engineOptions() {
        Path store = root != null ? root.toAbsolutePath()
                : EngineOptions.defaultStoreRoot(System.getenv(), Path.of(System.getProperty("user.home")));
        return EngineOptions.of(store).withRuntime(runtime);
    }
}
