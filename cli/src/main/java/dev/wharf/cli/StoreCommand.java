package dev.wharf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.builder.api.EngineException;
import dev.wharf.cache.CacheException;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.layout.OciLayout;
import dev.wharf.layers.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The shape every command working on the local store shares (images, inspect, tag, rmi, load, save, prune): the
 * {@code --root} option, opening the store, and a failure the user can act on (a missing image, an unreadable
 * archive, a broken store) printed as one line {@code wharf COMMAND: message} with exit code 1. Anything else is a
 * bug and goes to the {@link InternalErrorHandler}.
 *
 * <p>Subclasses build their model on {@link #model}, read their parsed options in {@link #read} and implement
 * {@link #execute}; one instance per run, not thread-safe.
 */
abstract class StoreCommand implements Callable<Integer> {
    StoreRootOption store;
    CommandSpec spec;

    /**
     * The model of {@code command}, named {@code name}, with {@code --root}; the subclass adds its own options and
     * then the standard help ({@link CommandModel#withStandardHelp}), in the order the annotations had them.
     */
    static CommandSpec model(StoreCommand command, String name, String[] description, String[] exitCodes,
                             String... examples) {
        command.spec = CommandModel.command(command, name, description, exitCodes, examples);
        command.spec.addMixin(StoreRootOption.MIXIN, StoreRootOption.mixin());
        return command.spec;
    }

    /** Puts the values the model parsed (or its defaults) into the subclass's fields. */
    abstract void read();

    /** Does the command's work; returns its exit code. */
    abstract int execute() throws LayerException, CacheException, CommandException, EngineException;

    @Override
    public final Integer call() {
        store = StoreRootOption.of(spec);
        read();
        try {
            return execute();
        } catch (LayerException | CacheException | CommandException | EngineException e) {
            error(e.getMessage());
            return ExitCodes.FAILED;
        } finally {
            out().flush();
            err().flush();
        }
    }

    /** The local store {@code --root} selects. */
    final LocalStore openStore() throws LayerException {
        return LocalStore.open(store.resolve());
    }

    /**
     * The local store {@code --root} selects, or empty when there is none: for the commands that only read the
     * store (images, inspect, history, save) or whose every argument must name a stored image (tag, rmi). A missing
     * store answers as an empty one, as a fresh docker daemon lists no images and has no such image; opening it
     * would create it, leaving an empty store behind a mistyped {@code --root} or {@code WHARF_ROOT} (and failing on
     * a read-only file system) for a command that writes nothing. A directory with neither the store's
     * {@code oci-layout} nor its {@code index.json} (a {@code --root} naming the home or working directory) holds no
     * store either: opening it wrote {@code wharf.lock}, {@code oci-layout}, {@code index.json}, {@code blobs/} and
     * {@code ingest/} into it. Either file will do, so that a store that lost one still shows its images.
     */
    final Optional<LocalStore> openIfPresent() throws LayerException {
        OciLayout layout = OciLayout.at(store.resolve());
        return Files.isRegularFile(layout.layoutFile()) || Files.isRegularFile(layout.indexFile())
                ? Optional.of(openStore()) : Optional.empty();
    }

    /** The error for {@code reference} in a store that does not exist: the one {@link ImageLookup} gives. */
    static CommandException noSuchImage(String reference) {
        return new CommandException("No such image: " + reference);
    }

    /**
     * The local store {@code --root} selects, which must exist: for commands that only read or clean it up, which
     * should not leave an empty store behind a mistyped {@code --root}.
     */
    final LocalStore openExistingStore() throws CommandException, LayerException {
        Path root = store.resolve();
        if (!Files.isDirectory(root)) {
            throw new CommandException("no store at " + root + ": the directory does not exist (a build, pull, "
                    + "load or import creates it)");
        }
        return openStore();
    }

    /** Prints {@code wharf COMMAND: message} on standard error: for failures that do not end the command. */
    final void error(String message) {
        err().println("wharf " + spec.name() + ": " + message);
    }

    /**
     * Prints {@code rows} through a {@code --format} value ({@code json}: each row as a JSON line); returns the exit
     * code: usage error for a malformed template.
     */
    final int printFormatted(String format, Map<String, String> headers, List<ObjectNode> rows) {
        try {
            FormattedOutput.print(out(), format.equals("json") ? "{{json .}}" : format, headers, rows);
            return ExitCodes.OK;
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
            return ExitCodes.USAGE;
        }
    }

    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    final PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
