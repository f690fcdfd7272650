package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.PushSummary;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

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
final class PushCommand extends TransferCommand {
    @Parameters(index = "0", paramLabel = "NAME[:TAG]", description = "The stored image to push.")
    String reference;

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
