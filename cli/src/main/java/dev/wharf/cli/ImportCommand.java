package dev.wharf.cli;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ImageSummary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf import}: a one-layer image from a root filesystem tarball. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a root filesystem tarball (plain, gzip or zstd) as a one-layer image.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the image was imported", "1:the import failed", "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf import rootfs.tar busybox:latest",
            "  wharf import <(testdata/examples/busybox-rootfs.sh) busybox:latest"})
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROOTFS.tar", description = "The root filesystem tarball.")
    Path tarball;

    @Parameters(index = "1", paramLabel = "NAME[:TAG]", description = "The image name.")
    String name;

    @Mixin
    StoreOptions store;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (BuildEngine engine = BuildEngine.create(store.engineOptions())) {
            ImageSummary image = engine.importImage(tarball, name);
            spec.commandLine().getOut().println(image.digest());
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        } catch (EngineException e) {
            spec.commandLine().getErr().println("wharf import: " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }
}
