package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.option;
import static dev.wharf.cli.CommandModel.positionalValue;
import static dev.wharf.cli.CommandModel.positionals;
import static dev.wharf.cli.CommandModel.value;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.archive.ArchiveExporter;
import dev.wharf.layers.archive.DockerLayerFormat;
import dev.wharf.layers.archive.RootfsImportOptions;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code wharf save}: writes images to an archive, like {@code docker save}. */
final class SaveCommand extends StoreCommand {
    /** The archive forms {@code --format} selects. */
    enum Format {
        DOCKER, OCI, OCI_DIR;

        static Format parse(String text) {
            return switch (text) {
                case "docker", "docker-archive" -> DOCKER;
                case "oci", "oci-archive" -> OCI;
                case "oci-dir" -> OCI_DIR;
                default -> null;
            };
        }
    }

    List<String> images;
    Path output;
    String format;

    /** A new {@code save} command and its model. */
    static CommandSpec model() {
        SaveCommand command = new SaveCommand();
        CommandSpec spec = StoreCommand.model(command, "save",
                lines("Save one or more images to a tar archive that docker load accepts, or in OCI form.",
                        "Images are given by name[:tag]; the archive carries these names."),
                lines("0:the archive was written",
                        "1:an image is missing or incomplete, or writing failed",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf save hello -o hello.tar && docker load -i hello.tar",
                "  wharf save --format oci busybox:latest hello -o images.oci.tar",
                "  wharf save --format oci-dir hello -o layout/ && skopeo inspect oci:layout:latest");
        spec.addPositional(positionals(null, "IMAGE").arity("1..*").required(true)
                .description("Image names, name[:tag].")
                .build());
        spec.addOption(option(Path.class, "FILE", "-o", "--output").required(true)
                .description("Write to this file (a directory with --format oci-dir); an existing file is replaced.")
                .build());
        spec.addOption(option("FORMAT", "--format").defaultValue("docker")
                .description("docker (docker-archive, the default), oci (an OCI archive) or oci-dir (an OCI image "
                        + "layout directory; added to if it exists).")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    void read() {
        images = positionalValue(spec, 0);
        output = value(spec, "--output");
        format = value(spec, "--format");
    }

    @Override
    int execute() throws LayerException, CommandException {
        Format chosen = Format.parse(format);
        if (chosen == null) {
            throw new ParameterException(spec.commandLine(), "wharf save: unknown --format " + format
                    + "; use docker, oci or oci-dir");
        }
        List<ImageName> names = new ArrayList<>();
        for (String image : images) {
            try {
                names.add(ImageName.parse(image));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "wharf save: " + e.getMessage());
            }
        }
        LocalStore local = openIfPresent().orElseThrow(() -> noSuchImage(names.get(0).toString()));
        ImageLookup lookup = new ImageLookup(local);
        for (int i = 0; i < names.size(); i++) {
            // A familiar name finds a pulled image stored under its full name (alpine: docker.io/library/...)
            // and names it as written, as docker save does.
            String written = images.get(i);
            names.set(i, lookup.storedName(written).orElseThrow(
                    () -> new CommandException("No such image: " + ImageName.parse(written))));
        }
        ArchiveExporter exporter = ArchiveExporter.from(local, RootfsImportOptions.hostPlatform());
        // On Ctrl-C or SIGTERM the JVM used to exit mid-write, leaving the hidden staged archive (.NAME-*.partial,
        // as large as what was written) beside the output. Interrupted, the write stops (its file channels close)
        // and deletes the staged file before the JVM ends.
        try (InterruptOnShutdown stop = new InterruptOnShutdown()) {
            switch (chosen) {
                case DOCKER -> exporter.writeDockerArchive(names, DockerLayerFormat.TAR, output);
                case OCI -> exporter.writeOciArchive(names, output);
                case OCI_DIR -> exporter.writeOciLayout(names, output);
                default -> throw new IllegalStateException("unhandled format " + chosen);
            }
        }
        return ExitCodes.OK;
    }
}
