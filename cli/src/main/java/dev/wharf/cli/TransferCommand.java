package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code wharf pull} and {@code wharf push} share: {@code -q}, the store and registry options, one engine
 * for the transfer, a blob per line on standard output, and failures as {@code wharf pull: message} with exit
 * code 1.
 */
abstract class TransferCommand implements Callable<Integer> {
    boolean quiet;
    StoreOptions store;
    RegistryFlags registry;
    CommandSpec spec;

    /**
     * The model of {@code command}, named {@code name}, with {@code -q}, the store and the registry options; the
     * subclass adds its own options and then the standard help ({@link CommandModel#withStandardHelp}).
     */
    static CommandSpec model(TransferCommand command, String name, String[] description, String[] exitCodes,
                             String... examples) {
        CommandSpec spec = CommandModel.command(command, name, description, exitCodes, examples);
        command.spec = spec;
        spec.addOption(CommandModel.flag("quiet", "-q", "--quiet")
                .description("Print only the result line.")
                .build());
        spec.addMixin(StoreOptions.MIXIN, StoreOptions.mixin());
        spec.addMixin(RegistryFlags.MIXIN, RegistryFlags.mixin());
        return spec;
    }

    /** Puts the values the model parsed (or its defaults) into the subclass's fields. */
    abstract void read();

    /** The progress texts of a blob that moved and of one that was already there. */
    abstract String[] blobTexts();

    /** Runs the transfer on {@code engine}, printing to {@code out}. */
    abstract void transfer(BuildEngine engine, PrintWriter out, TransferProgress progress) throws EngineException;

    @Override
    public Integer call() {
        quiet = CommandModel.value(spec, "--quiet");
        store = StoreOptions.of(spec);
        registry = RegistryFlags.of(spec);
        read();
        PrintWriter out = spec.commandLine().getOut();
        TransferProgress progress = new TransferProgress(quiet ? new PrintWriter(PrintWriter.nullWriter()) : out,
                blobTexts()[0], blobTexts()[1]);
        try (BuildEngine engine = BuildEngine.create(store.engineOptions().withRegistry(registry.settings()))) {
            transfer(engine, out, progress);
            out.flush();
            return ExitCodes.OK;
        } catch (EngineException e) {
            spec.commandLine().getErr().println("wharf " + spec.name() + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
    }
}
