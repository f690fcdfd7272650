package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.PushSummary;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf push}: an image of the local store to the registry its name says, like {@code docker push}. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Upload an image of the local store to a registry.",
            "The name says where: localhost:5000/team/app:1.0 goes to localhost:5000, a name without a registry to "
                    + "Docker Hub. Blobs the registry already has are not uploaded again; credentials come from "
                    + "~/.docker/config.json."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the image was pushed", "1:the push failed (no such image, denied, unreachable)",
            "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf tag hello localhost:5000/hello:1.0 && wharf push localhost:5000/hello:1.0"})
final class PushCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME[:TAG]", description = "The stored image to push.")
    String reference;

    @Option(names = {"-q", "--quiet"}, description = "Print only the digest line.")
    boolean quiet;

    @Mixin
    StoreOptions store;

    @Mixin
    RegistryFlags registry;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TransferProgress progress = new TransferProgress(quiet ? new PrintWriter(PrintWriter.nullWriter()) : out,
                "Pushed", "Layer already exists");
        try (BuildEngine engine = BuildEngine.create(store.engineOptions().withRegistry(registry.settings()))) {
            if (!quiet) {
                int colon = reference.lastIndexOf(':');
                String repository = colon > reference.lastIndexOf('/') ? reference.substring(0, colon) : reference;
                out.println("The push refers to repository [" + repository + "]");
                out.flush();
            }
            PushSummary pushed = engine.push(reference, progress);
            String tag = pushed.reference().substring(pushed.reference().lastIndexOf(':') + 1);
            out.println(tag + ": digest: " + pushed.digest() + " size: " + pushed.size());
            out.flush();
            return ExitCodes.OK;
        } catch (EngineException e) {
            spec.commandLine().getErr().println("wharf push: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
    }
}
