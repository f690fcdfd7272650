package dev.wharf.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.Platform;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.json.GoTime;
import dev.wharf.layers.json.JsonTrees;
import dev.wharf.layers.layer.LayerBlob;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Reads and writes the JSON of one {@link FileCacheStore} record file, and of a record in a {@link CacheArtifact}.
 *
 * <p>Thread-safe (its mapper is made once, on first use, and never reconfigured). Format version 2, of record files:
 * <pre>
 * {"format":"wharf-cache-record","version":2,"key":"sha256:...","keyVersion":1,"created":"2026-...Z",
 *  "inputs":{"identity":"...","parent":{"kind":"step","digest":"sha256:..."},"kind":"RUN","text":"RUN ...",
 *            "instruction":{"cmd":["..."]},"buildArgs":{"A":"1"},
 *            "platform":{"architecture":"amd64","os":"linux","osVersion":"","osFeatures":[],"variant":""},
 *            "checksums":{"src":"sha256:..."}},
 *  "result":{"layers":[{"descriptor":{...OCI descriptor...},"diffId":"sha256:...","uncompressedSize":123}],
 *            "configDigest":"sha256:...","configSize":1234}}
 * </pre>
 * The config itself is a content-addressed file of the store ({@link ConfigBlobs}), read only when asked for: a
 * step's config holds the history of every step before it, so inline configs made a build of N steps write and a
 * cached build parse O(N&sup2;) bytes. Version 1 is the same with the config text inline as
 * {@code "result":{...,"config":"...JSON text..."}}: what records in a {@link CacheArtifact} always are (that
 * document must stand alone, and its format does not change), and what record files of earlier wharf versions are,
 * which are still read (an older wharf skips version 2 files as newer and leaves them alone).
 *
 * <p>The last-used time is not in the file: it is the file's modification time, so marking a record used is one
 * metadata update instead of a rewrite. Reading is strict: anything missing, mistyped or inconsistent (the stored
 * key must equal the file name and, for the current key format, the key recomputed from the inputs) is a
 * {@link CorruptRecordException}.
 *
 * <p>Records are read and written as Jackson trees on the streaming parser and generator ({@link JsonTrees}) and
 * their descriptors through {@link CanonicalJson}'s hand-written codec: a cached build reads a record per step, and
 * a data-binding {@code ObjectMapper} (made, and its descriptor deserializer built by reflection, in every fresh
 * process) cost more than the reading. The mapper {@link CacheArtifact} uses is made on first use.
 */
final class RecordCodec {
    static final String FORMAT_NAME = "wharf-cache-record";
    /** The version of record files this wharf writes. */
    static final int FORMAT_VERSION = 2;
    /** The version of records with their config inline: those of a {@link CacheArtifact}, and older files. */
    static final int INLINE_CONFIG_VERSION = 1;

    private final JsonFactory factory = new JsonFactory();
    private volatile ObjectMapper mapper;

    /** A record file that cannot be trusted. */
    static final class CorruptRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptRecordException(String message) {
            super(message);
        }

        CorruptRecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A record file written by a newer wharf: valid perhaps, but not for this version to read or remove. */
    static final class NewerFormatException extends Exception {
        private static final long serialVersionUID = 1L;

        NewerFormatException(String message) {
            super(message);
        }
    }

    /** Returns the bytes of a record file: the record naming its config by digest ({@link ConfigBlobs}). */
    byte[] write(CacheRecord record) {
        StringWriter text = new StringWriter(1024);
        try (JsonGenerator generator = factory.createGenerator(text)) {
            JsonTrees.write(generator, tree(record, false));
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize cache record " + record.key(), e);
        }
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Returns the record as an element of a {@link CacheArtifact}: format version 1, the config inline. */
    ObjectNode artifactTree(CacheRecord record) {
        return tree(record, true);
    }

    private ObjectNode tree(CacheRecord record, boolean inlineConfig) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("format", FORMAT_NAME);
        root.put("version", inlineConfig ? INLINE_CONFIG_VERSION : FORMAT_VERSION);
        root.put("key", record.key().toString());
        root.put("keyVersion", record.keyVersion());
        root.put("created", GoTime.instantText(record.created()));
        CacheKeyInputs in = record.inputs();
        ObjectNode inputs = root.putObject("inputs");
        inputs.put("identity", in.identity().selector());
        ObjectNode parent = inputs.putObject("parent");
        parent.put("kind", in.parent().kind().wireName());
        if (in.parent().digest() != null) {
            parent.put("digest", in.parent().digest().toString());
        }
        inputs.put("kind", in.kind());
        inputs.put("text", in.text());
        ObjectNode instruction = inputs.putObject("instruction");
        in.instruction().forEach((field, values) -> {
            ArrayNode array = instruction.putArray(field);
            values.forEach(array::add);
        });
        ObjectNode args = inputs.putObject("buildArgs");
        in.buildArgs().forEach(args::put);
        Platform p = in.platform();
        ObjectNode platform = inputs.putObject("platform");
        platform.put("architecture", p.architecture());
        platform.put("os", p.os());
        platform.put("osVersion", p.osVersion() == null ? "" : p.osVersion());
        ArrayNode features = platform.putArray("osFeatures");
        p.osFeatures().forEach(features::add);
        platform.put("variant", p.variant() == null ? "" : p.variant());
        ObjectNode checksums = inputs.putObject("checksums");
        in.checksums().forEach((source, digest) -> checksums.put(source, digest.toString()));
        ObjectNode result = root.putObject("result");
        ArrayNode layers = result.putArray("layers");
        for (LayerBlob layer : record.result().layers()) {
            ObjectNode node = layers.addObject();
            node.set("descriptor", descriptorTree(layer.descriptor()));
            node.put("diffId", layer.diffId().toString());
            node.put("uncompressedSize", layer.uncompressedSize());
        }
        if (inlineConfig) {
            result.put("config", record.result().config());
        } else {
            result.put("configDigest", record.result().configDigest().toString());
            result.put("configSize", record.result().configSize());
        }
        return root;
    }

    /** A descriptor as the tree of its canonical JSON (what data binding's {@code valueToTree} gave). */
    private JsonNode descriptorTree(Descriptor descriptor) {
        try (JsonParser parser = factory.createParser(CanonicalJson.shared().write(descriptor))) {
            parser.nextToken();
            return JsonTrees.read(parser, false);
        } catch (IOException e) {
            throw new IllegalStateException("cannot convert descriptor " + descriptor.digest(), e);
        }
    }

    /** Returns a mapper that reads and writes as this codec does, made on first use. */
    ObjectMapper mapper() {
        ObjectMapper m = mapper;
        if (m == null) {
            synchronized (this) {
                m = mapper;
                if (m == null) {
                    m = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
                    mapper = m;
                }
            }
        }
        return m;
    }

    /**
     * Reads a record file, of format version 1 or 2.
     *
     * @param expectedKey the key the file is named after
     * @param lastUsed the file's modification time
     * @param configs where the config a version 2 record names is read from, when first asked for
     */
    CacheRecord read(byte[] bytes, CacheKey expectedKey, Instant lastUsed, StepResult.ConfigSource configs)
            throws CorruptRecordException, NewerFormatException {
        JsonNode root;
        try (JsonParser parser = factory.createParser(bytes)) {
            if (parser.nextToken() == null) {
                throw new CorruptRecordException("not valid JSON (empty)");
            }
            root = JsonTrees.read(parser, false);
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw new CorruptRecordException("not valid JSON (trailing token " + trailing + ")");
            }
        } catch (IOException e) {
            throw new CorruptRecordException("not valid JSON (" + firstLine(e.getMessage()) + ")", e);
        }
        return read(root, expectedKey, lastUsed, Objects.requireNonNull(configs, "configs"));
    }

    /**
     * Reads a record of a {@link CacheArtifact} from its JSON object: format version 1 only, the config inline
     * (a higher version is a newer wharf's).
     */
    CacheRecord readArtifactRecord(JsonNode root) throws CorruptRecordException, NewerFormatException {
        return read(root, null, null, null);
    }

    /**
     * Reads a record from its JSON object.
     *
     * @param expectedKey the key the record must have, or null to take the key it states (still checked against its
     *     inputs)
     * @param lastUsed the last-used time, or null for the record's created time
     * @param configs where configs named by digest are, or null when only version 1 (config inline) is allowed
     */
    private CacheRecord read(JsonNode root, CacheKey expectedKey, Instant lastUsed, StepResult.ConfigSource configs)
            throws CorruptRecordException, NewerFormatException {
        if (root == null || !root.isObject()) {
            throw new CorruptRecordException("not a JSON object");
        }
        if (!FORMAT_NAME.equals(text(root, "format"))) {
            throw new CorruptRecordException("\"format\" is not \"" + FORMAT_NAME + "\"");
        }
        int version = integer(root, "version");
        int newest = configs == null ? INLINE_CONFIG_VERSION : FORMAT_VERSION;
        if (version > newest) {
            throw new NewerFormatException("record format version " + version + " is newer than this wharf's "
                    + newest);
        }
        if (version < 1) {
            throw new CorruptRecordException("record format version " + version + " is invalid");
        }
        try {
            CacheKey key = CacheKey.parse(text(root, "key"));
            int keyVersion = integer(root, "keyVersion");
            Instant created = GoTime.instant(text(root, "created"));
            CacheKeyInputs inputs = inputs(object(root, "inputs"));
            StepResult result = result(object(root, "result"), version == INLINE_CONFIG_VERSION ? null : configs);
            if (expectedKey != null && !key.equals(expectedKey)) {
                throw new CorruptRecordException("it holds the record of " + key + ", not " + expectedKey);
            }
            if (keyVersion == KeyFormat.VERSION && !inputs.key().equals(key)) {
                throw new CorruptRecordException("its inputs hash to " + inputs.key() + ", not its key " + key);
            }
            return new CacheRecord(key, keyVersion, inputs, result, created, lastUsed == null ? created : lastUsed);
        } catch (CorruptRecordException e) {
            throw e;
        } catch (RuntimeException e) {
            // Validation in value types (digests, records) and Instant.parse: the content is not what wharf wrote.
            throw new CorruptRecordException(firstLine(e.getMessage()), e);
        }
    }

    private CacheKeyInputs inputs(JsonNode node) throws CorruptRecordException {
        JsonNode parentNode = object(node, "parent");
        StepParent.Kind kind = parentKind(text(parentNode, "kind"));
        StepParent parent = kind == StepParent.Kind.SCRATCH ? StepParent.scratch()
                : new StepParent(kind, Digest.parse(text(parentNode, "digest")));
        TreeMap<String, List<String>> instruction = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : object(node, "instruction").properties()) {
            instruction.put(field.getKey(), strings(field.getValue(), "instruction." + field.getKey()));
        }
        JsonNode platformNode = object(node, "platform");
        Platform platform = new Platform(text(platformNode, "architecture"), text(platformNode, "os"),
                text(platformNode, "osVersion"), strings(field(platformNode, "osFeatures"), "osFeatures"),
                text(platformNode, "variant"));
        return new CacheKeyInputs(StepIdentity.of(text(node, "identity")), parent, text(node, "kind"),
                text(node, "text"), instruction, stringMap(object(node, "buildArgs"), "buildArgs", s -> s),
                platform, stringMap(object(node, "checksums"), "checksums", Digest::parse));
    }

    /** Reads a result: the config inline (version 1, {@code configs} null) or named by digest (version 2). */
    private StepResult result(JsonNode node, StepResult.ConfigSource configs) throws CorruptRecordException {
        JsonNode layersNode = field(node, "layers");
        if (!layersNode.isArray()) {
            throw new CorruptRecordException("\"layers\" is not an array");
        }
        List<LayerBlob> layers = new ArrayList<>();
        for (JsonNode layer : layersNode) {
            Descriptor descriptor;
            try {
                descriptor = CanonicalJson.shared().read(object(layer, "descriptor"), Descriptor.class,
                        "a layer descriptor");
            } catch (LayerException e) {
                throw new CorruptRecordException("a layer descriptor is invalid (" + firstLine(e.getMessage()) + ")",
                        e);
            }
            JsonNode size = field(layer, "uncompressedSize");
            if (!size.canConvertToExactIntegral() || !size.canConvertToLong()) {
                throw new CorruptRecordException("\"uncompressedSize\" is not an integer");
            }
            layers.add(new LayerBlob(descriptor, Digest.parse(text(layer, "diffId")), size.asLong()));
        }
        if (configs == null) {
            return StepResult.of(layers, text(node, "config"));
        }
        JsonNode size = field(node, "configSize");
        if (!size.canConvertToExactIntegral() || !size.canConvertToLong() || size.asLong() < 0) {
            throw new CorruptRecordException("\"configSize\" is not a size");
        }
        Digest digest = Digest.parse(text(node, "configDigest"));
        if (digest.algorithm() != DigestAlgorithm.SHA256) {
            throw new CorruptRecordException("\"configDigest\" is not a sha256 digest");
        }
        return StepResult.stored(layers, digest, size.asLong(), configs);
    }

    private static StepParent.Kind parentKind(String name) throws CorruptRecordException {
        for (StepParent.Kind kind : StepParent.Kind.values()) {
            if (kind.wireName().equals(name)) {
                return kind;
            }
        }
        throw new CorruptRecordException("unknown parent kind \"" + name + "\"");
    }

    private static <V> TreeMap<String, V> stringMap(JsonNode node, String what, Function<String, V> convert)
            throws CorruptRecordException {
        TreeMap<String, V> map = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CorruptRecordException("\"" + what + "." + e.getKey() + "\" is not a string");
            }
            map.put(e.getKey(), convert.apply(e.getValue().textValue()));
        }
        return map;
    }

    private static List<String> strings(JsonNode node, String what) throws CorruptRecordException {
        if (!node.isArray()) {
            throw new CorruptRecordException("\"" + what + "\" is not an array");
        }
        List<String> list = new ArrayList<>();
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw new CorruptRecordException("\"" + what + "\" holds a non-string");
            }
            list.add(element.textValue());
        }
        return list;
    }

    private static JsonNode field(JsonNode node, String name) throws CorruptRecordException {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new CorruptRecordException("\"" + name + "\" is missing");
        }
        return value;
    }

    private static JsonNode object(JsonNode node, String name) throws CorruptRecordException {
        JsonNode value = field(node, name);
        if (!value.isObject()) {
            throw new CorruptRecordException("\"" + name + "\" is not an object");
        }
        return value;
    }

    private static String text(JsonNode node, String name) throws CorruptRecordException {
        JsonNode value = field(node, name);
        if (!value.isTextual()) {
            throw new CorruptRecordException("\"" + name + "\" is not a string");
        }
        return value.textValue();
    }

    private static int integer(JsonNode node, String name) throws CorruptRecordException {
        JsonNode value = field(node, name);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new CorruptRecordException("\"" + name + "\" is not an integer");
        }
        return value.intValue();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
