package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ImageSummary;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code wharf images}: lists the named images of the local store. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List the images of the local store.",
        footerHeading = "%nExamples:%n", footer = "  wharf images")
final class ImagesCommand implements Callable<Integer> {
    @Mixin
    StoreOptions store;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (BuildEngine engine = BuildEngine.create(store.engineOptions())) {
            out.printf(Locale.ROOT, "%-40s %-14s %s%n", "NAME", "IMAGE ID", "SIZE");
            for (ImageSummary image : engine.images()) {
                String id = image.imageId().startsWith("sha256:") ? image.imageId().substring(7, 19) : "";
                out.printf(Locale.ROOT, "%-40s %-14s %s%n", image.name(), id, size(image.size()));
            }
            out.flush();
            return ExitCodes.OK;
        } catch (EngineException e) {
            spec.commandLine().getErr().println("wharf images: " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }

    private static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + "B";
        }
        if (bytes < 1_000_000) {
            return String.format(Locale.ROOT, "%.1fkB", bytes / 1e3);
        }
        return String.format(Locale.ROOT, "%.1fMB", bytes / 1e6);
    }
}
