package dev.wharf.cli;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.archive.ArchiveExporter;
import dev.wharf.layers.archive.DockerLayerFormat;
import dev.wharf.layers.archive.RootfsImportOptions;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code wharf save}: writes images to an archive, like {@code docker save}. */
@Command(name = "save", mixinStandardHelpOptions = true,
        description = {"Save one or more images to a tar archive that docker load accepts, or in OCI form.",
            "Images are given by name[:tag]; the archive carries these names."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the archive was written", "1:an image is missing or incomplete, or writing failed",
            "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf save hello -o hello.tar && docker load -i hello.tar",
            "  wharf save --format oci busybox:latest hello -o images.oci.tar",
            "  wharf save --format oci-dir hello -o layout/ && skopeo inspect oci:layout:latest"})
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

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image names, name[:tag].")
    List<String> images;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
            description = "Write to this file (a directory with --format oci-dir); an existing file is replaced.")
    Path output;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "docker",
            description = "docker (docker-archive, the default), oci (an OCI archive) or oci-dir (an OCI image "
                    + "layout directory; added to if it exists).")
    String format;

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
        LocalStore local = openStore();
        ImageLookup lookup = new ImageLookup(local);
        for (int i = 0; i < names.size(); i++) {
            // A familiar name saves a pulled image under its stored full name (alpine: docker.io/library/...).
            String written = images.get(i);
            names.set(i, lookup.storedName(written).orElseThrow(
                    () -> new CommandException("No such image: " + ImageName.parse(written))));
        }
        ArchiveExporter exporter = ArchiveExporter.from(local, RootfsImportOptions.hostPlatform());
        switch (chosen) {
            case DOCKER -> exporter.writeDockerArchive(names, DockerLayerFormat.TAR, output);
            case OCI -> exporter.writeOciArchive(names, output);
            case OCI_DIR -> exporter.writeOciLayout(names, output);
            default -> throw new IllegalStateException("unhandled format " + chosen);
        }
        return ExitCodes.OK;
    }
}
