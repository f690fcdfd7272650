package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.positional;
import static dev.wharf.cli.CommandModel.positionalValue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ImageSummary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wharf import}: a one-layer image from a root filesystem tarball. */
final class ImportCommand implements Callable<Integer> {
    Path tarball;
    String name;
    StoreOptions store;
    CommandSpec spec;

    /** A new {@code import} command and its model. */
    static CommandSpec model() {
        ImportCommand command = new ImportCommand();
        CommandSpec spec = CommandModel.command(command, "import",
                lines("Import a root filesystem tarball (plain, gzip or zstd) as a one-layer image."),
                lines("0:the image was imported",
                        "1:the import failed",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf import rootfs.tar busybox:latest",
                "  wharf import <(testdata/examples/busybox-rootfs.sh) busybox:latest");
        command.spec = spec;
        spec.addPositional(positional("0", "ROOTFS.tar").type(Path.class)
                .description("The root filesystem tarball.")
                .build());
        spec.addPositional(positional("1", "NAME[:TAG]")
                .description("The image name.")
                .build());
        spec.addMixin(StoreOptions.MIXIN, StoreOptions.mixin());
        return CommandModel.withStandardHelp(spec);
    }

    /** Puts the values the model parsed (or its defaults) into the fields. */
    private void read() {
        tarball = positionalValue(spec, 0);
        name = positionalValue(spec, 1);
        store = StoreOptions.of(spec);
    }

    @Override
    public Integer call() {
        read();
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
