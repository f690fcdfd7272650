package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.option;
import static dev.wharf.cli.CommandModel.positional;
import static dev.wharf.cli.CommandModel.positionalValue;
import static dev.wharf.cli.CommandModel.value;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ImageSummary;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wharf pull}: an image from its registry into the local store, like {@code docker pull}. */
final class PullCommand extends TransferCommand {
    String reference;
    String platform;

    /** A new {@code pull} command and its model. */
    static CommandSpec model() {
        PullCommand command = new PullCommand();
        CommandSpec spec = TransferCommand.model(command, "pull",
                lines("Download an image from a registry into the local store.",
                        "NAME without a registry means Docker Hub (alpine is docker.io/library/alpine), without a "
                                + "tag :latest. A tag is stored under the full reference; credentials come from "
                                + "~/.docker/config.json."),
                lines("0:the image was pulled",
                        "1:the pull failed (unknown image, denied, unreachable)",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf pull alpine:3.20",
                "  wharf pull --platform linux/arm64 localhost:5000/team/app:1.0",
                "  wharf pull alpine@sha256:<digest>");
        spec.addPositional(positional("0", "NAME[:TAG|@DIGEST]")
                .description("The image to pull.")
                .build());
        spec.addOption(option("OS/ARCH[/VARIANT]", "--platform")
                .description("The platform to pull from a multi-platform image (default: the host's).")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    void read() {
        reference = positionalValue(spec, 0);
        platform = value(spec, "--platform");
    }

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
