package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.flag;
import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.option;
import static dev.wharf.cli.CommandModel.optionalFlag;
import static dev.wharf.cli.CommandModel.positional;
import static dev.wharf.cli.CommandModel.positionalValue;
import static dev.wharf.cli.CommandModel.value;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.store.LayerSizes;
import dev.wharf.layers.store.LocalStore;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code wharf history}: how an image's layers were made, newest first, in {@code docker history}'s columns
 * (docker/cli {@code cli/command/image/history.go} and {@code formatter/history.go}): IMAGE (the image ID on the
 * newest row, {@code <missing>} below it, as for every image BuildKit builds), CREATED, CREATED BY (tabs as spaces,
 * cut at 45 characters with an ellipsis unless {@code --no-trunc}), SIZE (the layer's content, unpacked, as Docker's
 * graph drivers measure it; {@code 0B} for metadata-only steps) and COMMENT.
 */
final class HistoryCommand extends StoreCommand {
    /** The column names of a {@code --format table ...} header, as docker names them. */
    private static final Map<String, String> HEADERS = Map.of("ID", "IMAGE", "CreatedSince", "CREATED",
            "CreatedAt", "CREATED AT", "CreatedBy", "CREATED BY", "Size", "SIZE", "Comment", "COMMENT");
    private static final String MISSING = "<missing>";
    private static final int CREATED_BY_WIDTH = 45;

    String image;
    boolean quiet;
    String format;
    boolean noTrunc;
    boolean human;

    /** A new {@code history} command and its model. */
    static CommandSpec model() {
        HistoryCommand command = new HistoryCommand();
        CommandSpec spec = StoreCommand.model(command, "history",
                lines("Show how an image's layers were made, like docker history.",
                        "The image is given by name[:tag] or by a full or unique leading part of its ID."),
                lines("0:shown",
                        "1:the image was not found or the store could not be read",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf history hello",
                "  wharf history --no-trunc hello:latest",
                "  wharf history -q hello");
        spec.addPositional(positional("0", "IMAGE")
                .description("The image's name or ID.")
                .build());
        spec.addOption(flag("quiet", "-q", "--quiet")
                .description("Print only image IDs.")
                .build());
        spec.addOption(option("TEMPLATE", "--format")
                .description("Print each entry through a Go template, as docker history --format does: fields .ID, "
                        + ".CreatedSince, .CreatedAt, .CreatedBy, .Size, .Comment; 'table ...' adds a header row; "
                        + "'json' one JSON object per line.")
                .build());
        spec.addOption(flag("noTrunc", "--no-trunc")
                .description("Do not truncate the output.")
                .build());
        spec.addOption(optionalFlag("human", "-H", "--human").defaultValue("true")
                .description("Print sizes and dates in human readable format (default: ${DEFAULT-VALUE}).")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    void read() {
        image = positionalValue(spec, 0);
        quiet = value(spec, "--quiet");
        format = value(spec, "--format");
        noTrunc = value(spec, "--no-trunc");
        human = value(spec, "--human");
    }

    @Override
    int execute() throws LayerException {
        Optional<LocalStore> present = openIfPresent();
        if (present.isEmpty()) {
            error(noSuchImage(image).getMessage());
            return ExitCodes.FAILED;
        }
        LocalStore local = present.get();
        ResolvedImage found;
        try {
            found = new ImageLookup(local).find(image);
        } catch (CommandException e) {
            error(e.getMessage());
            return ExitCodes.FAILED;
        }
        List<List<String>> rows = rows(found, local.layerSizes());
        PrintWriter out = out();
        if (quiet) {
            rows.forEach(row -> out.println(row.get(0)));
            return ExitCodes.OK;
        }
        if (format != null) {
            List<ObjectNode> objects = new ArrayList<>();
            for (List<String> row : rows) {
                objects.add(FormattedOutput.row(Map.of("ID", row.get(0), "CreatedSince", row.get(1),
                        "CreatedBy", row.get(2), "Size", row.get(3), "Comment", row.get(4), "CreatedAt", row.get(5))));
            }
            return printFormatted(format, HEADERS, objects);
        }
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"));
        rows.forEach(row -> table.add(row.subList(0, 5)));
        GoTabwriter.printDockerTable(out, table);
        return ExitCodes.OK;
    }

    /** The rows, newest first; each non-empty history entry takes the next layer, as the daemon pairs them. */
    private List<List<String>> rows(ResolvedImage found, LayerSizes sizes) {
        List<Descriptor> layers = found.manifest().layers();
        List<HistoryEntry> history = found.config().history();
        List<List<String>> rows = new ArrayList<>();
        int layer = 0;
        Instant now = Clock.systemUTC().instant();
        for (HistoryEntry entry : history) {
            long size = 0;
            if (!entry.emptyLayer() && layer < layers.size()) {
                // docker history: the layer's content size (unpacked), not its blob's.
                size = sizes.contentSize(layers.get(layer++));
            }
            String createdBy = entry.createdBy() == null ? "" : entry.createdBy().replace('\t', ' ');
            if (!noTrunc && createdBy.codePointCount(0, createdBy.length()) > CREATED_BY_WIDTH) {
                createdBy = createdBy.substring(0, createdBy.offsetByCodePoints(0, CREATED_BY_WIDTH - 1)) + "…";
            }
            String created = entry.created() == null ? "N/A"
                    : human ? ImagesCommand.humanDuration(Duration.between(entry.created().toInstant(), now)) + " ago"
                    : entry.created().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            String sizeText = human ? ImagesCommand.humanSize(size) : Long.toString(size);
            String createdAt = entry.created() == null ? "N/A"
                    : entry.created().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            rows.add(0, new ArrayList<>(List.of(MISSING, created, createdBy, sizeText,
                    entry.comment() == null ? "" : entry.comment(), createdAt)));
        }
        if (rows.isEmpty()) {
            rows.add(new ArrayList<>(List.of(MISSING, "N/A", "", "0B", "", "N/A")));
        }
        String id = found.id().toString();
        rows.get(0).set(0, noTrunc ? id : id.substring(id.indexOf(':') + 1, id.indexOf(':') + 13));
        return rows;
    }
}
