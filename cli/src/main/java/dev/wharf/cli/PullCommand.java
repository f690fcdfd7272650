package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ImageSummary;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

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
final class PullCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME[:TAG|@DIGEST]", description = "The image to pull.")
    String reference;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "The platform to pull from a multi-platform image (default: the host's).")
    String platform;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image reference.")
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
                "Pull complete", "Already exists");
        try (BuildEngine engine = BuildEngine.create(store.engineOptions().withRegistry(registry.settings()))) {
            ImageSummary image = engine.pull(reference, Optional.ofNullable(platform), progress);
            if (!quiet) {
                out.println("Digest: " + image.digest());
                out.println("Status: " + (progress.moved() > 0 ? "Downloaded newer image for "
                        : "Image is up to date for ") + image.name());
            }
            out.println(image.name());
            out.flush();
            return ExitCodes.OK;
        } catch (EngineException e) {
            spec.commandLine().getErr().println("wharf pull: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
    }
}
