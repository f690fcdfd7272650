package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What {@code wharf pull} and {@code wharf push} share: {@code -q}, the store and registry options, one engine
 * for the transfer, a blob per line on standard output, and failures as {@code wharf pull: message} with exit
 * code 1.
 */
abstract class TransferCommand implements Callable<Integer> {
    @Option(names = {"-q", "--quiet"}, description = "Print only the result line.")
    boolean quiet;

    @Mixin
    StoreOptions store;

    @Mixin
    RegistryFlags registry;

    @Spec
    CommandSpec spec;

    /** The progress texts of a blob that moved and of one that was already there. */
    abstract String[] blobTexts();

    /** Runs the transfer on {@code engine}, printing to {@code out}. */
    abstract void transfer(BuildEngine engine, PrintWriter out, TransferProgress progress) throws EngineException;

    @Override
    public Integer call() {
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
