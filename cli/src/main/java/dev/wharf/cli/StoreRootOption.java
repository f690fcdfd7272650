package dev.wharf.cli;

import dev.wharf.layers.store.StoreRoot;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code --root} option of the commands that use only the image store (no sandbox): inspect, tag, rmi, load,
 * save and prune. The same flag as {@link StoreOptions}, without {@code --runtime}, which these commands ignore.
 * Immutable.
 */
final class StoreRootOption {
    /** The mixin's key in a command's model (the field name it had as an annotated mixin). */
    static final String MIXIN = "store";

    private final Path root;

    private StoreRootOption(Path root) {
        this.root = root;
    }

    /** The model of the mixin: {@code --root}. */
    static CommandSpec mixin() {
        CommandSpec mixin = CommandModel.emptySpec();
        mixin.addOption(rootOption());
        return mixin;
    }

    /** The {@code --root} option, which {@link StoreOptions} has too. */
    static OptionSpec rootOption() {
        return CommandModel.option(Path.class, "DIR", "--root")
                .description("The store root (default: $WHARF_ROOT, else $XDG_DATA_HOME/wharf, else "
                        + "~/.local/share/wharf).")
                .build();
    }

    /** What {@code spec}'s {@code --root} was given. */
    static StoreRootOption of(CommandSpec spec) {
        return new StoreRootOption(CommandModel.value(spec, "--root"));
    }

    /** Whether {@code --root} was given, rather than the default root taken from the environment. */
    boolean given() {
        return root != null;
    }

    /** The store root these flags select; the environment is read here, the CLI's seam. */
    Path resolve() {
        return root != null ? root.toAbsolutePath()
                : StoreRoot.resolve(System.getenv(), Path.of(System.getProperty("user.home")));
    }
}
