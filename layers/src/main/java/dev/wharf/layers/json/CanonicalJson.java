package dev.wharf.layers.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.Platform;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes image documents (indexes, manifests, configs) as JSON, writing canonical bytes: the same model
 * always gives the same bytes, hence the same digest.
 *
 * <p>Immutable and thread-safe. Output is compact, has no trailing newline, lists fields in the order the model
 * declares (the OCI spec's order), sorts map keys and escapes strings exactly like Go's {@code json.Marshal}
 * ({@link GoCharacterEscapes}). Reading tolerates unknown fields; models that keep them (configs, manifests, indexes)
 * write them back after the known fields, sorted by key.
 *
 * <p>The image documents and their parts ({@link ImageIndex}, {@link ImageManifest}, {@link ImageConfiguration},
 * {@link ExecutionConfig}, {@link Descriptor}, {@link Platform}) are read and written by hand-written streaming code
 * ({@link DocumentReader}, {@link DocumentWriter}) that follows the records' Jackson annotations under this class's
 * mapper settings: Jackson's data binding builds each type's (de)serializer by reflection and annotation parsing, which
 * cost a fresh {@code wharf} process about 0.1 s of CPU time for the three documents of a cached build, more than
 * the rest of the build. Any other type goes through a configured {@link ObjectMapper}, made on first use.
 */
public final class CanonicalJson {
    private final JsonFactory factory;
    private volatile ObjectMapper mapper;

    private CanonicalJson() {
        this.factory = new JsonFactoryBuilder()
                .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .characterEscapes(new GoCharacterEscapes())
                .build();
    }

    /**
     * The process-wide canonical reader and writer, made on first use. Jackson builds a (de)serializer for each model
     * type it binds once per mapper, by reflection, which in a fresh process costs more than the documents it reads;
     * one shared instance does it at most once per process.
     */
    public static CanonicalJson shared() {
        return Shared.INSTANCE;
    }

    /** Holds the shared instance: initialised, thread-safely, on the first call of {@link #shared()}. */
    private static final class Shared {
        static final CanonicalJson INSTANCE = create();
    }

    /** Makes a canonical reader and writer of its own (with its own caches): prefer {@link #shared()}. */
    public static CanonicalJson create() {
        return new CanonicalJson();
    }

    /** The data-binding mapper for the types without a hand-written codec, made on first use. */
    private ObjectMapper mapper() {
        ObjectMapper m = mapper;
        if (m == null) {
            synchronized (this) {
                m = mapper;
                if (m == null) {
                    m = reflectiveMapper();
                    mapper = m;
                }
            }
        }
        return m;
    }

    /**
     * A data-binding mapper with this class's settings, which the hand-written codecs follow for the image
     * documents (their tests compare the two).
     */
    static ObjectMapper reflectiveMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // Absent or null booleans (ArgsEscaped, empty_layer) read as false, as Go's decoder does.
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                // Numbers in fields wharf does not model are kept as written (e.g. 2.50 stays 2.50).
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .disable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
                .build();
        mapper.getFactory().setCharacterEscapes(new GoCharacterEscapes());
        // Go's decoder rejects type mismatches (a number where a string belongs, "true" for a bool); so does this.
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /**
     * Writes a model as canonical UTF-8 JSON.
     *
     * @throws IllegalArgumentException if the value cannot be serialized (a programming error: models always can)
     */
    public byte[] write(Object value) {
        try {
            // Through a String, not writeValueAsBytes: Jackson's UTF-8 generator escapes surrogate pairs (emoji)
            // as two backslash-u escapes when custom escapes are set, while Go writes them as raw UTF-8.
            if (DocumentWriter.writes(value)) {
                StringWriter text = new StringWriter(512);
                try (JsonGenerator generator = factory.createGenerator(text)) {
                    new DocumentWriter(generator).write(value);
                }
                return text.toString().getBytes(StandardCharsets.UTF_8);
            }
            return mapper().writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Makes this codec ready for documents like {@code sample}: writes it and reads it back, in memory. For a type
     * without a hand-written codec Jackson builds its serializers and deserializers (and those of the types in its
     * fields) at their first use and keeps them in this codec, which in a fresh JVM costs tens of milliseconds per
     * type; a thread that would otherwise wait (while layers download) can pay it ahead of the first real use.
     *
     * @throws IllegalArgumentException if the sample cannot be written and read back (a programming error)
     */
    public void prepare(Object sample) {
        byte[] bytes = write(sample);
        try {
            read(bytes, sample.getClass(), "sample");
        } catch (LayerException e) {
            throw new IllegalArgumentException("cannot read back " + sample.getClass().getSimpleName(), e);
        }
    }

    private Object readDocument(byte[] json, Class<?> type) throws IOException {
        try (JsonParser parser = factory.createParser(json)) {
            return new DocumentReader(parser).readDocument(type);
        }
    }

    /**
     * Reads a document held as a Jackson tree (e.g. a descriptor inside another JSON document) into a model type,
     * with the same rules as {@link #read(byte[], Class, String)}.
     *
     * @throws LayerException if the tree does not have the type's shape; the message names the document
     */
    public <T> T read(JsonNode tree, Class<T> type, String what) throws LayerException {
        if (!DocumentReader.reads(type)) {
            try {
                return read(mapper().writeValueAsBytes(tree), type, what);
            } catch (JsonProcessingException e) {
                throw new LayerException("cannot read " + what + " as " + type.getSimpleName() + ": "
                        + e.getOriginalMessage(), e);
            }
        }
        try (JsonParser parser = tree.traverse()) {
            return checked(type.cast(new DocumentReader(parser).readDocument(type)), type, what);
        } catch (IOException | RuntimeException e) {
            throw malformed(e, type, what);
        }
    }

    private static <T> T checked(T value, Class<T> type, String what) throws LayerException {
        if (value == null) {
            throw new LayerException(what + " is JSON null, not a " + type.getSimpleName()
                    + "; the image is malformed, rebuild or pull it again");
        }
        return value;
    }

    private static LayerException malformed(Exception e, Class<?> type, String what) {
        // Validation in record constructors surfaces as IllegalArgumentException wrapped or not; report it.
        String detail = e instanceof JsonProcessingException j ? j.getOriginalMessage() + where(j) : e.getMessage();
        return new LayerException("cannot read " + what + " as " + type.getSimpleName() + ": " + detail
                + "; the image is malformed, rebuild or pull it again", e);
    }

    /**
     * Where in the document Jackson stopped: its field path and line:column, which {@code getOriginalMessage} drops
     * (a truncated or hand-edited manifest.json is otherwise hard to find the fault in).
     */
    private static String where(JsonProcessingException e) {
        StringBuilder at = new StringBuilder();
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            for (JsonMappingException.Reference ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    at.append(at.length() == 0 ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    at.append('[').append(ref.getIndex()).append(']');
                }
            }
            at.insert(0, " at ");
        }
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            at.append(at.length() == 0 ? " at " : ", ").append("line ").append(location.getLineNr())
                    .append(" column ").append(location.getColumnNr());
        }
        return at.toString();
    }

    /**
     * Reads a document into a model type.
     *
     * @param what names the document for the error message, e.g. {@code "manifest sha256:..."}
     * @throws LayerException if the bytes are not valid JSON for the type; the message names the document and the
     *     offending location
     */
    public <T> T read(byte[] json, Class<T> type, String what) throws LayerException {
        T value;
        try {
            value = DocumentReader.reads(type) ? type.cast(readDocument(json, type)) : mapper().readValue(json, type);
        } catch (IOException | RuntimeException e) {
            throw malformed(e, type, what);
        }
        return checked(value, type, what);
    }
}
