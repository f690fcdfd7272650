package dev.wharf.cli;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.store.LocalStore;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf inspect}: prints images as JSON, like {@code docker image inspect}. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show images of the local store as JSON, like docker image inspect.",
            "An image is given by name[:tag] or by a full or unique leading part of its ID."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every image was found", "1:an image was not found (the others are still printed)",
            "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf inspect busybox:latest", "  wharf inspect 3f57d9401f8d",
            "  wharf inspect hello busybox | jq '.[].RootFS.Layers'",
            "  wharf inspect -f '{{.Id}} {{json .Config.Env}}' hello"})
final class InspectCommand extends StoreCommand {
    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image names or IDs.")
    List<String> images;

    @Option(names = {"-f", "--format"}, paramLabel = "TEMPLATE",
            description = "Print each image through a Go template, as docker inspect --format does "
                    + "(e.g. '{{.Id}}', '{{json .Config}}', '{{range .RepoTags}}{{.}} {{end}}'); 'json' prints the "
                    + "JSON array.")
    String format;

    @Override
    int execute() throws LayerException {
        LocalStore local = openStore();
        ImageLookup lookup = new ImageLookup(local);
        List<ResolvedImage> found = new ArrayList<>();
        int code = ExitCodes.OK;
        for (String reference : images) {
            try {
                found.add(lookup.find(reference));
            } catch (CommandException e) {
                // docker prints what it found and an error per missing image, then exits 1.
                error(e.getMessage());
                code = ExitCodes.FAILED;
            }
        }
        InspectJson json = new InspectJson(local.json(), local.layerSizes());
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
}
