package dev.wharf.cli;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf tag}: gives an image another name, like {@code docker tag}. */
@Command(name = "tag", mixinStandardHelpOptions = true,
        description = {"Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE.",
            "SOURCE_IMAGE is a name[:tag] or an image ID; an existing TARGET_IMAGE is moved to it."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the tag was set", "1:no such source image, or the store failed",
            "2:usage error (also an invalid target name)"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf tag busybox:latest busybox:1.36", "  wharf tag 3f57d9401f8d localhost:5000/team/app:v1"})
final class TagCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE_IMAGE", description = "The image: name[:tag] or ID.")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET_IMAGE", description = "The new name[:tag].")
    String target;

    @Mixin
    StoreRootOption store;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ImageName name;
        try {
            name = ImageName.parse(target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "wharf tag: " + e.getMessage());
        }
        try {
            LocalStore local = LocalStore.open(store.resolve());
            ResolvedImage image = new ImageLookup(local).find(source);
            local.images().tag(name, image.target().withAnnotations(Map.of()));
            return ExitCodes.OK;
        } catch (CommandException | LayerException e) {
            spec.commandLine().getErr().println("wharf tag: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
    }
}
