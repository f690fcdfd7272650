package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.positional;
import static dev.wharf.cli.CommandModel.positionalValue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.PushSummary;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wharf push}: an image of the local store to the registry its name says, like {@code docker push}. */
final class PushCommand extends TransferCommand {
    String reference;

    /** A new {@code push} command and its model. */
    static CommandSpec model() {
        PushCommand command = new PushCommand();
        CommandSpec spec = TransferCommand.model(command, "push",
                lines("Upload an image of the local store to a registry.",
                        "The name says where: localhost:5000/team/app:1.0 goes to localhost:5000, a name without a "
                                + "registry to Docker Hub. Blobs the registry already has are not uploaded again; "
                                + "credentials come from ~/.docker/config.json."),
                lines("0:the image was pushed",
                        "1:the push failed (no such image, denied, unreachable)",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf tag hello localhost:5000/hello:1.0 && wharf push localhost:5000/hello:1.0");
        spec.addPositional(positional("0", "NAME[:TAG]")
                .description("The stored image to push.")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    void read() {
        reference = positionalValue(spec, 0);
    }

    @Override
    String[] blobTexts() {
        return new String[] {"Pushed", "Layer already exists"};
    }

    @Override
    void transfer(BuildEngine engine, PrintWriter out, TransferProgress progress) throws EngineException {
        if (!quiet) {
            int colon = reference.lastIndexOf(':');
            String repository = colon > reference.lastIndexOf('/') ? reference.substring(0, colon) : reference;
            out.println("The push refers to repository [" + repository + "]");
            out.flush();
        }
        PushSummary pushed = engine.push(reference, progress);
        String tag = pushed.reference().substring(pushed.reference().lastIndexOf(':') + 1);
        out.println(tag + ": digest: " + pushed.digest() + " size: " + pushed.size());
    }
}
