package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ImageSummary;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf pull}: an image from its registry into the local store, like {@code docker pull}. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Download an image from a registry into the local store.",
            "NAME without a registry means Docker Hub (alpine is docker.io/library/alpine), without a tag :latest. "
                    + "A tag is stored under the full reference; credentials come from ~/.docker/config.json."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the image was pulled", "1:the pull failed (unknown image, denied, unreachable)",
            "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf pull alpine:3.20", "  wharf pull --platform linux/arm64 localhost:5000/team/app:1.0",
            "  wharf pull alpine@sha256:<digest>"})
final class PullCommand extends TransferCommand {
    @Parameters(index = "0", paramLabel = "NAME[:TAG|@DIGEST]", description = "The image to pull.")
    String reference;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "The platform to pull from a multi-platform image (default: the host's).")
    String platform;

    @Override
    String[] blobTexts() {
        return new String[] {"Pull complete", "Already exists"};
    }

    @Override
    void transfer(BuildEngine engine, PrintWriter out, TransferProgress progress) throws EngineException {
        ImageSummary image = engine.pull(reference, Optional.ofNullable(platform), progress);
        if (!quiet) {
            out.println("Digest: " + image.digest());
            out.println("Status: " + (progress.moved() > 0 ? "Downloaded newer image for "
                    : "Image is up to date for ") + image.name());
        }
        out.println(image.name());
    }
}
