package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code wharf pull} and {@code wharf push} share: {@code -q}, the store and registry options, one engine
 * for the transfer, a blob per line on standard output, and failures as {@code wharf pull: message} with exit
 * code 1 ({@code context canceled} on Ctrl-C or SIGTERM).
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
        PrintWriter err = spec.commandLine().getErr();
        // On Ctrl-C or SIGTERM the JVM used to end at once (130, 143), with nothing said and the blobs being
        // written left in the store's ingest/ for a day. Interrupted, the transfer stops, the engine's close
        // deletes what it staged, and the command ends as docker's client does on a cancelled context: one line,
        // status 1.
        try (InterruptOnShutdown stop = new InterruptOnShutdown()) {
            try (BuildEngine engine = BuildEngine.create(store.engineOptions().withRegistry(registry.settings()))) {
                transfer(engine, out, progress);
                out.flush();
                stop.endWith(ExitCodes.OK);
                return ExitCodes.OK;
            } catch (EngineException | RuntimeException e) {
                String message = stop.cancelled() ? "context canceled" : e.getMessage();
                if (!stop.cancelled() && e instanceof RuntimeException unexpected) {
                    throw unexpected;
                }
                out.flush();
                err.println("wharf " + spec.name() + ": " + message);
                err.flush();
                stop.endWith(ExitCodes.FAILED);
                return ExitCodes.FAILED;
            }
        }
    }
}
