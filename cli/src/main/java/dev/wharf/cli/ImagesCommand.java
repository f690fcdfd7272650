package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.flag;
import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.option;
import static dev.wharf.cli.CommandModel.value;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.InvalidReferenceException;
import dev.wharf.layers.store.LayerSizes;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.store.TaggedImage;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code wharf images}: lists the images of the local store as {@code docker images} does: REPOSITORY (Docker Hub
 * names in their familiar form, {@code alpine} for {@code docker.io/library/alpine}), TAG, IMAGE ID (the short
 * config digest), CREATED (how long ago), SIZE; with {@code --digests} a DIGEST column. An image pulled by digest is
 * listed with tag {@code <none>} and its digest, as docker lists a RepoDigest.
 */
final class ImagesCommand extends StoreCommand {
    /** The column names of a {@code --format table ...} header, as docker names them. */
    private static final Map<String, String> HEADERS = Map.ofEntries(Map.entry("Containers", "CONTAINERS"),
            Map.entry("CreatedAt", "CREATED AT"), Map.entry("CreatedSince", "CREATED"), Map.entry("Digest", "DIGEST"),
            Map.entry("ID", "IMAGE ID"), Map.entry("Repository", "REPOSITORY"), Map.entry("SharedSize", "SHARED SIZE"),
            Map.entry("Size", "SIZE"), Map.entry("Tag", "TAG"), Map.entry("UniqueSize", "UNIQUE SIZE"),
            Map.entry("VirtualSize", "VIRTUAL SIZE"));
    /** Go's default time format, which docker's CreatedAt shows. */
    static final java.time.format.DateTimeFormatter GO_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss Z 'UTC'").withZone(java.time.ZoneOffset.UTC);
    private static final String NONE = "<none>";

    boolean digests;
    boolean quiet;
    String format;
    boolean noTrunc;

    /** One line of the listing. */
    private record Row(String repository, String tag, String digest, String id, Instant created, long size) {
    }

    /** A new {@code images} command and its model. */
    static CommandSpec model() {
        ImagesCommand command = new ImagesCommand();
        CommandSpec spec = StoreCommand.model(command, "images",
                lines("List the images of the local store.",
                        "Columns as in docker images: REPOSITORY, TAG, IMAGE ID (the config digest), CREATED and "
                                + "SIZE (of the layers' content, unpacked, as docker measures it). An image pulled "
                                + "by digest shows with tag <none>; --digests shows the manifest digest each name "
                                + "points to."),
                lines("0:listed",
                        "1:the store could not be read",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf images",
                "  wharf images --digests",
                "  wharf images -q",
                "  wharf images --root /var/lib/wharf");
        spec.addOption(option("RUNTIME", "--runtime").hidden(true)
                .description("Accepted for compatibility; listing images runs nothing.")
                .build());
        spec.addOption(flag("digests", "--digests")
                .description("Show the digest each name points to.")
                .build());
        spec.addOption(flag("quiet", "-q", "--quiet")
                .description("Print only image IDs.")
                .build());
        spec.addOption(option("TEMPLATE", "--format")
                .description("Print each image through a Go template, as docker images --format does: fields .ID, "
                        + ".Repository, .Tag, .Digest, .CreatedSince, .CreatedAt, .Size; 'table ...' adds a header "
                        + "row (e.g. 'table {{.Repository}}\\t{{.Tag}}'); 'json' one JSON object per line.")
                .build());
        spec.addOption(flag("noTrunc", "--no-trunc")
                .description("Print full image IDs.")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    void read() {
        digests = value(spec, "--digests");
        quiet = value(spec, "--quiet");
        format = value(spec, "--format");
        noTrunc = value(spec, "--no-trunc");
    }

    @Override
    int execute() throws LayerException {
        Optional<LocalStore> local = openIfPresent();
        List<Row> rows = local.isPresent() ? rows(local.get()) : List.of();
        PrintWriter out = out();
        if (quiet) {
            Set<String> seen = new HashSet<>();
            for (Row row : rows) {
                if (seen.add(row.id())) {
                    out.println(id(row.id()));
                }
            }
            return ExitCodes.OK;
        }
        Instant now = Clock.systemUTC().instant();
        if (format != null) {
            List<ObjectNode> objects = new ArrayList<>();
            for (Row row : rows) {
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("Containers", "N/A");
                fields.put("CreatedAt", row.created() == null ? "N/A" : GO_TIME.format(row.created()));
                fields.put("CreatedSince", row.created() == null ? "N/A"
                        : humanDuration(Duration.between(row.created(), now)) + " ago");
                fields.put("Digest", row.digest());
                fields.put("ID", id(row.id()));
                fields.put("Repository", row.repository());
                fields.put("SharedSize", "N/A");
                fields.put("Size", humanSize(row.size()));
                fields.put("Tag", row.tag());
                fields.put("UniqueSize", "N/A");
                fields.put("VirtualSize", humanSize(row.size()));
                objects.add(FormattedOutput.row(fields));
            }
            return printFormatted(format, HEADERS, objects);
        }
        List<List<String>> table = new ArrayList<>();
        table.add(digests ? List.of("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
                : List.of("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"));
        for (Row row : rows) {
            List<String> cells = new ArrayList<>(List.of(row.repository(), row.tag()));
            if (digests) {
                cells.add(row.digest());
            }
            cells.add(id(row.id()));
            cells.add(row.created() == null ? "N/A" : humanDuration(Duration.between(row.created(), now)) + " ago");
            cells.add(humanSize(row.size()));
            table.add(cells);
        }
        GoTabwriter.printDockerTable(out, table);
        return ExitCodes.OK;
    }

    /**
     * The rows, newest first as docker sorts them: one per tag, and one per digest reference that no tag of the
     * same repository already shows. Entries whose content cannot be read are skipped (wharf doctor reports them).
     */
    private List<Row> rows(LocalStore local) throws LayerException {
        ImageLookup lookup = new ImageLookup(local);
        LayerSizes sizes = local.layerSizes();
        List<TaggedImage> entries = local.images().list();
        Set<String> tagged = new HashSet<>();
        for (TaggedImage entry : entries) {
            Split split = split(entry.refName());
            if (split.tag() != null) {
                tagged.add(split.repository() + "@" + entry.descriptor().digest());
            }
        }
        List<Row> rows = new ArrayList<>();
        for (TaggedImage entry : entries) {
            Split split = split(entry.refName());
            String digest = entry.descriptor().digest().toString();
            if (split.tag() == null && tagged.contains(split.repository() + "@" + digest)) {
                continue;
            }
            ResolvedImage image;
            try {
                image = lookup.image(entry.descriptor());
            } catch (CommandException | LayerException e) {
                continue;
            }
            Instant created = image.config().created() == null ? null : image.config().created().toInstant();
            rows.add(new Row(familiar(split.repository()), split.tag() == null ? NONE : split.tag(), digest,
                    image.id().toString(), created, image.size(sizes)));
        }
        rows.sort(Comparator.comparing(Row::created, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(Row::repository).thenComparing(Row::tag));
        return rows;
    }

    /** A ref name split into repository and tag (null for a digest reference {@code name@sha256:...}). */
    private record Split(String repository, String tag) {
    }

    private static Split split(String refName) {
        int at = refName.indexOf('@');
        if (at >= 0) {
            return new Split(refName.substring(0, at), null);
        }
        int colon = refName.lastIndexOf(':');
        // A colon before the last slash belongs to a registry port (localhost:5000/app), not a tag.
        return colon > refName.lastIndexOf('/') ? new Split(refName.substring(0, colon), refName.substring(colon + 1))
                : new Split(refName, NONE);
    }

    /** Docker Hub names as docker prints them ({@code alpine}, {@code team/app}); other names as stored. */
    private static String familiar(String repository) {
        try {
            return ImageReference.parse(repository).familiar();
        } catch (InvalidReferenceException e) {
            return repository;
        }
    }

    private String id(String digest) {
        if (noTrunc) {
            return digest;
        }
        String hex = digest.substring(digest.indexOf(':') + 1);
        return hex.substring(0, Math.min(12, hex.length()));
    }

    /** Docker's {@code units.HumanDuration} (github.com/docker/go-units, duration.go). */
    static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(d.toMillis() / 3_600_000.0);
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return d.toHours() / 24 / 365 + " years";
    }

    /** Docker's {@code units.HumanSizeWithPrecision(size, 3)}: decimal units, three significant digits. */
    static String humanSize(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
        double size = bytes;
        int unit = 0;
        while (size >= 1000 && unit < units.length - 1) {
            size /= 1000;
            unit++;
        }
        String digits = new java.math.BigDecimal(size).round(new java.math.MathContext(3)).stripTrailingZeros()
                .toPlainString();
        return digits + units[unit];
    }
}
