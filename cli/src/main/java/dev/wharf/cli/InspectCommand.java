package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.option;
import static dev.wharf.cli.CommandModel.positionalValue;
import static dev.wharf.cli.CommandModel.positionals;
import static dev.wharf.cli.CommandModel.value;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.store.LocalStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wharf inspect}: prints images as JSON, like {@code docker image inspect}. */
final class InspectCommand extends StoreCommand {
    List<String> images;
    String format;

    /** A new {@code inspect} command and its model. */
    static CommandSpec model() {
        InspectCommand command = new InspectCommand();
        CommandSpec spec = StoreCommand.model(command, "inspect",
                lines("Show images of the local store as JSON, like docker image inspect.",
                        "An image is given by name[:tag] or by a full or unique leading part of its ID."),
                lines("0:every image was found",
                        "1:an image was not found (the others are still printed)",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf inspect busybox:latest",
                "  wharf inspect 3f57d9401f8d",
                "  wharf inspect hello busybox | jq '.[].RootFS.Layers'",
                "  wharf inspect -f '{{.Id}} {{json .Config.Env}}' hello");
        spec.addPositional(positionals(null, "IMAGE").arity("1..*").required(true)
                .description("Image names or IDs.")
                .build());
        spec.addOption(option("TEMPLATE", "-f", "--format")
                .description("Print each image through a Go template, as docker inspect --format does (e.g. "
                        + "'{{.Id}}', '{{json .Config}}', '{{range .RepoTags}}{{.}} {{end}}'); 'json' prints the "
                        + "JSON array.")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    void read() {
        images = positionalValue(spec, 0);
        format = value(spec, "--format");
    }

    @Override
    int execute() throws LayerException {
        Optional<LocalStore> local = openIfPresent();
        Optional<ImageLookup> lookup = local.map(ImageLookup::new);
        List<ResolvedImage> found = new ArrayList<>();
        int code = ExitCodes.OK;
        for (String reference : images) {
            try {
                found.add(lookup.isPresent() ? lookup.get().find(reference) : failNoSuchImage(reference));
            } catch (CommandException e) {
                // docker prints what it found and an error per missing image, then exits 1.
                error(e.getMessage());
                code = ExitCodes.FAILED;
            }
        }
        if (local.isEmpty()) {
            // Nothing was found: docker prints the empty array, and a template has nothing to run on.
            if (format == null || format.equals("json")) {
                out().print("[]\n");
            }
            return code;
        }
        InspectJson json = new InspectJson(local.get().json(), local.get().layerSizes());
        if (format == null || format.equals("json")) {
            out().print(json.render(found));
            return code;
        }
        GoTemplate template;
        try {
            template = GoTemplate.parse(format);
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
            return ExitCodes.USAGE;
        }
        for (ResolvedImage image : found) {
            try {
                out().println(template.execute(json.object(image)));
            } catch (IllegalArgumentException e) {
                error(e.getMessage());
                return ExitCodes.FAILED;
            }
        }
        return code;
    }

    private static ResolvedImage failNoSuchImage(String reference) throws CommandException {
        throw noSuchImage(reference);
    }
}
