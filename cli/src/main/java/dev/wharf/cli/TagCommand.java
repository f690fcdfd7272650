package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.positional;
import static dev.wharf.cli.CommandModel.positionalValue;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code wharf tag}: gives an image another name, like {@code docker tag}. */
final class TagCommand extends StoreCommand {
    String source;
    String target;

    /** A new {@code tag} command and its model. */
    static CommandSpec model() {
        TagCommand command = new TagCommand();
        CommandSpec spec = StoreCommand.model(command, "tag",
                lines("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE.",
                        "SOURCE_IMAGE is a name[:tag] or an image ID; an existing TARGET_IMAGE is moved to it."),
                lines("0:the tag was set",
                        "1:no such source image, or the store failed",
                        "2:usage error (also an invalid target name)",
                        ExitCodes.FLAG_HELP),
                "  wharf tag busybox:latest busybox:1.36",
                "  wharf tag 3f57d9401f8d localhost:5000/team/app:v1");
        spec.addPositional(positional("0", "SOURCE_IMAGE")
                .description("The image: name[:tag] or ID.")
                .build());
        spec.addPositional(positional("1", "TARGET_IMAGE")
                .description("The new name[:tag].")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    void read() {
        source = positionalValue(spec, 0);
        target = positionalValue(spec, 1);
    }

    @Override
    int execute() throws LayerException, CommandException {
        ImageName name;
        try {
            name = ImageName.parse(target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "wharf tag: " + e.getMessage());
        }
        LocalStore local = openIfPresent().orElseThrow(() -> noSuchImage(source));
        ResolvedImage image = new ImageLookup(local).find(source);
        local.images().tag(name, image.target().withAnnotations(Map.of()));
        return ExitCodes.OK;
    }
}
