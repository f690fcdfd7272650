package dev.wharf.layers.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.Platform;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.Healthcheck;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.RootFs;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the image documents (index, manifest, config and their parts) from a streaming parser, field by field, with
 * exactly the rules the annotated records give Jackson's data binding under {@link CanonicalJson}'s settings, which
 * it replaces for these types because building Jackson's deserializers by reflection costs a fresh process more
 * than the documents it reads:
 * <ul>
 *   <li>unknown fields are ignored, or kept in {@code unknownFields} (as exact trees) where the record has them;
 *       a known field given twice keeps its last value, an unknown one its first (as Jackson does);</li>
 *   <li>text fields take a string or null, nothing else (no coercion from numbers or booleans, as Go's decoder);</li>
 *   <li>numbers and booleans take their own token; null, an empty or a blank string read as 0 or false (Jackson's
 *       scalar coercion, which {@link CanonicalJson} leaves on);</li>
 *   <li>lists, maps and objects take their own token or null, nothing else;</li>
 *   <li>a record's validation failure surfaces as its {@link IllegalArgumentException}.</li>
 * </ul>
 * Stateless apart from the parser it reads; not thread-safe (one per document).
 */
final class DocumentReader {
    private final JsonParser parser;

    DocumentReader(JsonParser parser) {
        this.parser = parser;
    }

    /** Tells whether this reader reads {@code type}. */
    static boolean reads(Class<?> type) {
        return type == ImageIndex.class || type == ImageManifest.class || type == ImageConfiguration.class
                || type == ExecutionConfig.class || type == Descriptor.class || type == Platform.class;
    }

    /**
     * Reads the whole input as one {@code type} (one of those {@link #reads} accepts), or null for JSON null.
     *
     * @throws IOException if the input is not one well-formed JSON value of the type's shape
     */
    Object readDocument(Class<?> type) throws IOException {
        if (parser.nextToken() == null) {
            throw new JsonParseException(parser, "no content: the document is empty");
        }
        Object value;
        if (type == ImageIndex.class) {
            value = index();
        } else if (type == ImageManifest.class) {
            value = manifest();
        } else if (type == ImageConfiguration.class) {
            value = configuration();
        } else if (type == ExecutionConfig.class) {
            value = executionConfig();
        } else if (type == Descriptor.class) {
            value = descriptor();
        } else if (type == Platform.class) {
            value = platform();
        } else {
            throw new IllegalArgumentException("no reader for " + type.getName());
        }
        JsonToken trailing = parser.nextToken();
        if (trailing != null) {
            throw new JsonParseException(parser, "trailing token (" + trailing + ") after the document's value");
        }
        return value;
    }

    /** Reads the current value as a Jackson tree with exact decimals (a field kept verbatim). */
    JsonNode tree() throws IOException {
        return JsonTrees.read(parser, true);
    }

    ImageIndex index() throws IOException {
        if (!startObject("an index")) {
            return null;
        }
        int schemaVersion = 0;
        String mediaType = null;
        String artifactType = null;
        List<Descriptor> manifests = null;
        Descriptor subject = null;
        SortedMap<String, String> annotations = null;
        TreeMap<String, JsonNode> unknown = new TreeMap<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "schemaVersion" -> schemaVersion = intValue(name);
                case "mediaType" -> mediaType = text(name);
                case "artifactType" -> artifactType = text(name);
                case "manifests" -> manifests = descriptors(name);
                case "subject" -> subject = descriptor();
                case "annotations" -> annotations = textMap(name);
                default -> keepFirst(unknown, name, tree());
            }
        }
        return new ImageIndex(schemaVersion, mediaType, artifactType, manifests, subject, annotations, unknown);
    }

    ImageManifest manifest() throws IOException {
        if (!startObject("a manifest")) {
            return null;
        }
        int schemaVersion = 0;
        String mediaType = null;
        String artifactType = null;
        Descriptor config = null;
        List<Descriptor> layers = null;
        Descriptor subject = null;
        SortedMap<String, String> annotations = null;
        TreeMap<String, JsonNode> unknown = new TreeMap<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "schemaVersion" -> schemaVersion = intValue(name);
                case "mediaType" -> mediaType = text(name);
                case "artifactType" -> artifactType = text(name);
                case "config" -> config = descriptor();
                case "layers" -> layers = descriptors(name);
                case "subject" -> subject = descriptor();
                case "annotations" -> annotations = textMap(name);
                default -> keepFirst(unknown, name, tree());
            }
        }
        return new ImageManifest(schemaVersion, mediaType, artifactType, config, layers, subject, annotations,
                unknown);
    }

    ImageConfiguration configuration() throws IOException {
        if (!startObject("an image config")) {
            return null;
        }
        OffsetDateTime created = null;
        String author = null;
        String architecture = null;
        String os = null;
        String osVersion = null;
        List<String> osFeatures = null;
        String variant = null;
        ExecutionConfig config = null;
        RootFs rootfs = null;
        List<HistoryEntry> history = null;
        TreeMap<String, JsonNode> unknown = new TreeMap<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "created" -> created = time(name);
                case "author" -> author = text(name);
                case "architecture" -> architecture = text(name);
                case "os" -> os = text(name);
                case "os.version" -> osVersion = text(name);
                case "os.features" -> osFeatures = texts(name);
                case "variant" -> variant = text(name);
                case "config" -> config = executionConfig();
                case "rootfs" -> rootfs = rootFs();
                case "history" -> history = history(name);
                default -> keepFirst(unknown, name, tree());
            }
        }
        return new ImageConfiguration(created, author, architecture, os, osVersion, osFeatures, variant, config,
                rootfs, history, unknown);
    }

    ExecutionConfig executionConfig() throws IOException {
        if (!startObject("a container config")) {
            return null;
        }
        ExecutionConfig.Builder builder = ExecutionConfig.builder();
        TreeMap<String, JsonNode> unknown = new TreeMap<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "User" -> builder.user(text(name));
                case "ExposedPorts" -> builder.exposedPorts(keySet(name));
                case "Env" -> builder.env(textsOrEmpty(name));
                case "Entrypoint" -> builder.entrypoint(textsOrEmpty(name));
                case "Cmd" -> builder.cmd(textsOrEmpty(name));
                case "Volumes" -> builder.volumes(keySet(name));
                case "WorkingDir" -> builder.workingDir(text(name));
                case "Labels" -> builder.labels(orEmpty(textMap(name)));
                case "StopSignal" -> builder.stopSignal(text(name));
                case "ArgsEscaped" -> builder.argsEscaped(booleanValue(name));
                case "Healthcheck" -> builder.healthcheck(healthcheck());
                case "OnBuild" -> builder.onBuild(textsOrEmpty(name));
                case "Shell" -> builder.shell(textsOrEmpty(name));
                default -> keepFirst(unknown, name, tree());
            }
        }
        return builder.unknownFields(unknown).build();
    }

    Descriptor descriptor() throws IOException {
        if (!startObject("a descriptor")) {
            return null;
        }
        String mediaType = null;
        Digest digest = null;
        long size = 0;
        List<String> urls = null;
        SortedMap<String, String> annotations = null;
        String data = null;
        Platform platform = null;
        String artifactType = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "mediaType" -> mediaType = text(name);
                case "digest" -> digest = digest(name);
                case "size" -> size = longValue(name);
                case "urls" -> urls = texts(name);
                case "annotations" -> annotations = textMap(name);
                case "data" -> data = text(name);
                case "platform" -> platform = platform();
                case "artifactType" -> artifactType = text(name);
                default -> parser.skipChildren();
            }
        }
        return new Descriptor(mediaType, digest, size, urls, annotations, data, platform, artifactType);
    }

    Platform platform() throws IOException {
        if (!startObject("a platform")) {
            return null;
        }
        String architecture = null;
        String os = null;
        String osVersion = null;
        List<String> osFeatures = null;
        String variant = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "architecture" -> architecture = text(name);
                case "os" -> os = text(name);
                case "os.version" -> osVersion = text(name);
                case "os.features" -> osFeatures = texts(name);
                case "variant" -> variant = text(name);
                default -> parser.skipChildren();
            }
        }
        return new Platform(architecture, os, osVersion, osFeatures, variant);
    }

    private Healthcheck healthcheck() throws IOException {
        if (!startObject("a healthcheck")) {
            return null;
        }
        List<String> test = null;
        Duration interval = null;
        Duration timeout = null;
        Duration startPeriod = null;
        Duration startInterval = null;
        int retries = 0;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "Test" -> test = texts(name);
                case "Interval" -> interval = duration(name);
                case "Timeout" -> timeout = duration(name);
                case "StartPeriod" -> startPeriod = duration(name);
                case "StartInterval" -> startInterval = duration(name);
                case "Retries" -> retries = intValue(name);
                default -> parser.skipChildren();
            }
        }
        return new Healthcheck(test, interval, timeout, startPeriod, startInterval, retries);
    }

    private HistoryEntry historyEntry() throws IOException {
        if (!startObject("a history entry")) {
            return null;
        }
        OffsetDateTime created = null;
        String createdBy = null;
        String author = null;
        String comment = null;
        boolean emptyLayer = false;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "created" -> created = time(name);
                case "created_by" -> createdBy = text(name);
                case "author" -> author = text(name);
                case "comment" -> comment = text(name);
                case "empty_layer" -> emptyLayer = booleanValue(name);
                default -> parser.skipChildren();
            }
        }
        return new HistoryEntry(created, createdBy, author, comment, emptyLayer);
    }

    private RootFs rootFs() throws IOException {
        if (!startObject("a rootfs")) {
            return null;
        }
        String type = null;
        List<Digest> diffIds = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            switch (name) {
                case "type" -> type = text(name);
                case "diff_ids" -> diffIds = digests(name);
                default -> parser.skipChildren();
            }
        }
        return new RootFs(type, diffIds);
    }

    /**
     * Keeps an unknown field; of one given twice, the first value, as Jackson's any-setter of a record keeps it
     * (a known field given twice keeps its last value).
     */
    private static void keepFirst(TreeMap<String, JsonNode> unknown, String name, JsonNode value) {
        unknown.putIfAbsent(name, value);
    }

    /** Reads one element of a list, at its first token. */
    @FunctionalInterface
    private interface Element<T> {
        T read() throws IOException;
    }

    /** A JSON array of elements, or null for JSON null. */
    private <T> List<T> list(String field, Element<T> element) throws IOException {
        if (!startArray(field)) {
            return null;
        }
        List<T> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            list.add(element.read());
        }
        return list;
    }

    private List<Descriptor> descriptors(String field) throws IOException {
        return list(field, this::descriptor);
    }

    private List<HistoryEntry> history(String field) throws IOException {
        return list(field, this::historyEntry);
    }

    private List<Digest> digests(String field) throws IOException {
        return list(field, () -> digest(field));
    }

    private List<String> texts(String field) throws IOException {
        return list(field, () -> text(field));
    }

    /** A string list for a builder, which takes no null: JSON null is the empty list, as the record makes it. */
    private List<String> textsOrEmpty(String field) throws IOException {
        List<String> list = texts(field);
        if (list == null) {
            return List.of();
        }
        list.replaceAll(s -> s == null ? "" : s);
        return list;
    }

    private SortedMap<String, String> textMap(String field) throws IOException {
        if (!startObject(field)) {
            return null;
        }
        TreeMap<String, String> map = new TreeMap<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            map.put(name, text(field));
        }
        return map;
    }

    private static SortedMap<String, String> orEmpty(SortedMap<String, String> map) {
        if (map == null) {
            return new TreeMap<>();
        }
        map.replaceAll((k, v) -> v == null ? "" : v);
        return map;
    }

    /** Go's {@code map[string]struct{}}: an object's keys, its values skipped; null is the empty set. */
    private SortedSet<String> keySet(String field) throws IOException {
        TreeSet<String> keys = new TreeSet<>();
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return keys;
        }
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw mismatch(field, "an object");
        }
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            parser.skipChildren();
            keys.add(name);
        }
        return keys;
    }

    private String text(String field) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NULL -> null;
            default -> throw mismatch(field, "a string");
        };
    }

    private Digest digest(String field) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> Digest.parse(parser.getText());
            case VALUE_NULL -> null;
            default -> throw mismatch(field, "a digest string");
        };
    }

    /** Go's RFC 3339 timestamps ({@link GoTime}); null is none. */
    private OffsetDateTime time(String field) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> GoTime.parse(parser.getText());
            case VALUE_NULL -> null;
            default -> throw mismatch(field, "an RFC 3339 timestamp string");
        };
    }

    /** Go's {@code time.Duration}: integer nanoseconds ({@link GoDuration}); null is none. */
    private Duration duration(String field) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_NUMBER_INT -> Duration.ofNanos(parser.getLongValue());
            case VALUE_NULL -> null;
            default -> throw mismatch(field, "an integer of nanoseconds");
        };
    }

    private int intValue(String field) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_NUMBER_INT -> parser.getIntValue();
            case VALUE_NULL -> 0;
            case VALUE_STRING -> blankAsZero(field, "an integer");
            default -> throw mismatch(field, "an integer");
        };
    }

    private long longValue(String field) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_NUMBER_INT -> parser.getLongValue();
            case VALUE_NULL -> 0;
            case VALUE_STRING -> blankAsZero(field, "an integer");
            default -> throw mismatch(field, "an integer");
        };
    }

    private boolean booleanValue(String field) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE, VALUE_NULL -> false;
            case VALUE_STRING -> blankAsZero(field, "a boolean") != 0;
            default -> throw mismatch(field, "a boolean");
        };
    }

    /**
     * An empty or blank string where a number or boolean belongs: Jackson's scalar coercion reads it as 0 or false,
     * and the documents wharf wrote and read before this reader existed were read that way; any other text fails.
     */
    private int blankAsZero(String field, String expected) throws IOException {
        String text = parser.getText();
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > ' ') {
                throw mismatch(field, expected);
            }
        }
        return 0;
    }

    private boolean startObject(String what) throws IOException {
        return switch (parser.currentToken()) {
            case START_OBJECT -> true;
            case VALUE_NULL -> false;
            default -> throw mismatch(what, "an object");
        };
    }

    private boolean startArray(String field) throws IOException {
        return switch (parser.currentToken()) {
            case START_ARRAY -> true;
            case VALUE_NULL -> false;
            default -> throw mismatch(field, "an array");
        };
    }

    private JsonParseException mismatch(String field, String expected) {
        return new JsonParseException(parser, "\"" + field + "\" must be " + expected + ", not "
                + describe(parser.currentToken()));
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }
}
