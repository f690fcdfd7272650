package dev.wharf.grammar.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.Instruction;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The JSON view of a typed Dockerfile for {@code wharf parse --json}: the model's records as they are (component
 * names become keys, in declaration order), every instruction with a leading {@code "kind"} ({@code "RUN"}),
 * every word as {@code {"text", "range": {"start": {"line", "column"}, "end": …}}}, absent optionals as
 * {@code null}, durations in ISO-8601 ({@code "PT1M30S"}) and enum values in lower case.
 *
 * <p>Immutable and thread-safe (the mapper is configured once and only read).
 */
public final class AstJson {

    private final ObjectMapper mapper;

    public AstJson() {
        SimpleModule values = new SimpleModule("wharf-ast")
                .addSerializer(new OptionalSerializer())
                .addSerializer(new OptionalLongSerializer())
                .addSerializer(new DurationSerializer())
                .setMixInAnnotation(Instruction.class, InstructionMixIn.class);
        mapper = JsonMapper.builder()
                .addModule(values)
                .configure(EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true)
                .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                .configure(SerializationFeature.INDENT_OUTPUT, true)
                .build();
    }

    /** The Dockerfile as indented JSON text. */
    public String write(Dockerfile dockerfile) {
        return text(dockerfile);
    }

    /** One instruction as indented JSON text. */
    public String write(Instruction instruction) {
        return text(instruction);
    }

    /** The Dockerfile as a JSON tree (for tests and embedding). */
    public JsonNode tree(Dockerfile dockerfile) {
        return mapper.valueToTree(dockerfile);
    }

    private String text(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // the model holds only records, strings, numbers and the types registered above
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Adds the instruction kind in front of the record components. */
    @JsonPropertyOrder({"kind"})
    private interface InstructionMixIn {
        @JsonProperty("kind")
        String kind();
    }

    @SuppressWarnings("rawtypes")
    private static final class OptionalSerializer extends StdSerializer<Optional> {
        private static final long serialVersionUID = 1L;

        OptionalSerializer() {
            super(Optional.class);
        }

        @Override
        public void serialize(Optional value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value.isPresent()) {
                provider.defaultSerializeValue(value.get(), gen);
            } else {
                gen.writeNull();
            }
        }
    }

    private static final class OptionalLongSerializer extends StdSerializer<OptionalLong> {
        private static final long serialVersionUID = 1L;

        OptionalLongSerializer() {
            super(OptionalLong.class);
        }

        @Override
        public void serialize(OptionalLong value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value.isPresent()) {
                gen.writeNumber(value.getAsLong());
            } else {
                gen.writeNull();
            }
        }
    }

    private static final class DurationSerializer extends StdSerializer<Duration> {
        private static final long serialVersionUID = 1L;

        DurationSerializer() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toString());
        }
    }
}
