package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.api.ImageSummary;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf images}: lists the named images of the local store. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List the images of the local store.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed", "1:the store could not be read", "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf images", "  wharf images --root /var/lib/wharf", "  wharf images | grep hello"})
final class ImagesCommand extends StoreCommand {
    @Option(names = "--runtime", paramLabel = "RUNTIME", hidden = true,
            description = "Accepted for compatibility; listing images runs nothing.")
    String runtime;

    @Override
    int execute() throws EngineException {
        PrintWriter out = out();
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(store.resolve()))) {
            out.printf(Locale.ROOT, "%-40s %-14s %s%n", "NAME", "IMAGE ID", "SIZE");
            for (ImageSummary image : engine.images()) {
                String id = image.imageId().startsWith("sha256:") ? image.imageId().substring(7, 19) : "";
                out.printf(Locale.ROOT, "%-40s %-14s %s%n", image.name(), id, size(image.size()));
            }
            return ExitCodes.OK;
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
