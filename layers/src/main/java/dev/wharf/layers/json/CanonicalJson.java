package dev.wharf.layers.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.wharf.layers.LayerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes image documents (indexes, manifests, configs) as JSON, writing canonical bytes: the same model
 * always gives the same bytes, hence the same digest.
 *
 * <p>Immutable and thread-safe (one configured, never reconfigured {@link ObjectMapper}). Output is compact, has no
 * trailing newline, lists fields in the order the model declares (the OCI spec's order), sorts map keys and escapes
 * strings exactly like Go's {@code json.Marshal} ({@link GoCharacterEscapes}). Reading tolerates unknown fields;
 * models that keep them (configs, manifests, indexes) write them back after the known fields, sorted by key.
 */
public final class CanonicalJson {
    private final ObjectMapper mapper;

    private CanonicalJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * The process-wide canonical reader and writer, made on first use. Jackson builds a (de)serializer for each model
     * type once per mapper, by reflection, which in a fresh process costs more than the documents it reads; one
     * shared mapper does it once per process, and lets a command build them ahead on another thread (the CLI's
     * start-up warm-up) for the store it then opens.
     */
    public static CanonicalJson shared() {
        return Shared.INSTANCE;
    }

    /** Holds the shared instance: initialised, thread-safely, on the first call of {@link #shared()}. */
    private static final class Shared {
        static final CanonicalJson INSTANCE = create();
    }

    /**
     * Makes a canonical reader and writer of its own (with its own caches). Cheap to keep, expensive to make:
     * prefer {@link #shared()}.
     */
    public static CanonicalJson create() {
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
        return new CanonicalJson(mapper);
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
            return mapper.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Makes this codec ready for documents like {@code sample}: writes it and reads it back, in memory. Jackson
     * builds the serializers and deserializers of a type (and of the types in its fields) at their first use and
     * keeps them in this codec, which in a fresh JVM costs tens of milliseconds per document type; a thread that
     * would otherwise wait (while layers download) can pay it ahead of the first real write or read.
     *
     * @throws IllegalArgumentException if the sample cannot be written and read back (a programming error)
     */
    public void prepare(Object sample) {
        byte[] bytes = write(sample);
        try {
            mapper.readValue(bytes, sample.getClass());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read back " + sample.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads a document into a model type.
     *
     * @param what names the document for the error message, e.g. {@code "manifest sha256:..."}
     * @throws LayerException if the bytes are not valid JSON for the type; the message names the document and the
     *     offending location
     */
    public <T> T read(byte[] json, Class<T> type, String what) throws LayerException {
        try {
            T value = mapper.readValue(json, type);
            if (value == null) {
                throw new LayerException(what + " is JSON null, not a " + type.getSimpleName()
                        + "; the image is malformed, rebuild or pull it again");
            }
            return value;
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            String detail = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new LayerException("cannot read " + what + " as " + type.getSimpleName() + ": " + detail
                    + "; the image is malformed, rebuild or pull it again", e);
        } catch (RuntimeException e) {
            // Validation in record constructors surfaces as IllegalArgumentException wrapped or not; report it.
            throw new LayerException("cannot read " + what + " as " + type.getSimpleName() + ": " + e.getMessage()
                    + "; the image is malformed, rebuild or pull it again", e);
        }
    }
}
