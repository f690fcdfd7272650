package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.flag;
import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.positionalValue;
import static dev.wharf.cli.CommandModel.positionals;
import static dev.wharf.cli.CommandModel.value;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.InvalidReferenceException;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code wharf rmi}: removes image names, like {@code docker rmi}. The blobs stay until {@code wharf prune} finds
 * them unreferenced, so removing is instant and a concurrent build using the image is not broken.
 */
final class RmiCommand extends StoreCommand {
    List<String> images;
    boolean force;

    /** A new {@code rmi} command and its model. */
    static CommandSpec model() {
        RmiCommand command = new RmiCommand();
        CommandSpec spec = StoreCommand.model(command, "rmi",
                lines("Remove (untag) one or more images.",
                        "A name removes that name; an image ID removes every name of the image, which needs -f when "
                                + "it has more than one. The layers are freed by wharf prune."),
                lines("0:every image was removed",
                        "1:an image was not found or could not be removed (the others are still removed)",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf rmi busybox:1.36",
                "  wharf rmi -f 3f57d9401f8d",
                "  wharf rmi hello && wharf prune");
        spec.addPositional(positionals(null, "IMAGE").arity("1..*").required(true)
                .description("Image names or IDs.")
                .build());
        spec.addOption(flag("force", "-f", "--force")
                .description("Remove every name of an image given by ID; ignore images that do not exist.")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    void read() {
        images = positionalValue(spec, 0);
        force = value(spec, "--force");
    }

    @Override
    int execute() throws LayerException {
        int code = ExitCodes.OK;
        Optional<LocalStore> local = openIfPresent();
        Optional<ImageLookup> lookup = local.map(ImageLookup::new);
        for (String reference : images) {
            try {
                if (local.isEmpty()) {
                    throw noSuchImage(reference);
                }
                for (String name : remove(local.get(), lookup.get(), reference)) {
                    out().println("Untagged: " + familiar(name));
                }
            } catch (CommandException e) {
                if (!force || !e.getMessage().startsWith("No such image")) {
                    error(e.getMessage());
                    code = ExitCodes.FAILED;
                }
            }
        }
        return code;
    }

    /** Removes what {@code reference} stands for; returns the names removed. */
    private List<String> remove(LocalStore local, ImageLookup lookup, String reference)
            throws CommandException, LayerException {
        Optional<ImageName> name = lookup.storedName(reference);
        if (name.isPresent() && local.images().untag(name.get())) {
            return List.of(name.get().toString());
        }
        if (reference.contains("@")) {
            // A digest reference (an image pulled by digest), as written or in its full form.
            for (String candidate : digestCandidates(reference)) {
                if (untag(local, candidate)) {
                    return List.of(candidate);
                }
            }
        }
        ResolvedImage image = lookup.find(reference);
        if (image.names().size() > 1 && !force) {
            throw new CommandException("conflict: unable to delete " + image.id().hex().substring(0, 12)
                    + " (must be forced) - image is referenced in multiple repositories: " + image.names()
                    + "; remove the names one by one or use -f");
        }
        List<String> removed = new java.util.ArrayList<>();
        for (String each : image.names()) {
            if (untag(local, each)) {
                removed.add(each);
            }
        }
        return removed;
    }

    /** Removes a stored name: {@code name:tag}, or a digest reference {@code name@sha256:...}. */
    private static boolean untag(LocalStore local, String refName) throws LayerException {
        int at = refName.indexOf('@');
        if (at >= 0) {
            try {
                return local.images().untagDigest(refName.substring(0, at), Digest.parse(refName.substring(at + 1)));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        Optional<ImageName> parsed = parse(refName);
        return parsed.isPresent() && local.images().untag(parsed.get());
    }

    /**
     * The name as docker prints what it untagged (daemon/images/image_delete.go: reference.FamiliarString):
     * {@code hello:latest} for {@code docker.io/library/hello:latest}.
     */
    private static String familiar(String name) {
        try {
            return ImageReference.parse(name).familiar();
        } catch (InvalidReferenceException | RuntimeException e) {
            return name;
        }
    }

    private static List<String> digestCandidates(String reference) {
        List<String> candidates = new java.util.ArrayList<>(List.of(reference));
        try {
            ImageReference parsed = ImageReference.parse(reference);
            parsed.digest().ifPresent(d -> candidates.add(parsed.name() + "@" + d));
        } catch (InvalidReferenceException e) {
            // Only the reference as written can match.
        }
        return candidates;
    }

    private static Optional<ImageName> parse(String text) {
        try {
            return Optional.of(ImageName.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
