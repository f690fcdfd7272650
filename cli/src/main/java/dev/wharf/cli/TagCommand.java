package dev.wharf.cli;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code wharf tag}: gives an image another name, like {@code docker tag}. */
@Command(name = "tag", mixinStandardHelpOptions = true,
        description = {"Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE.",
            "SOURCE_IMAGE is a name[:tag] or an image ID; an existing TARGET_IMAGE is moved to it."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the tag was set", "1:no such source image, or the store failed",
            "2:usage error (also an invalid target name)"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf tag busybox:latest busybox:1.36", "  wharf tag 3f57d9401f8d localhost:5000/team/app:v1"})
final class TagCommand extends StoreCommand {
    @Parameters(index = "0", paramLabel = "SOURCE_IMAGE", description = "The image: name[:tag] or ID.")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET_IMAGE", description = "The new name[:tag].")
    String target;

    @Override
    int execute() throws LayerException, CommandException {
        ImageName name;
        try {
            name = ImageName.parse(target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "wharf tag: " + e.getMessage());
        }
        LocalStore local = openStore();
        ResolvedImage image = new ImageLookup(local).find(source);
        local.images().tag(name, image.target().withAnnotations(Map.of()));
        return ExitCodes.OK;
    }
}
