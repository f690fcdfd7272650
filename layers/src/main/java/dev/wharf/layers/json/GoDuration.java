package dev.wharf.layers.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.time.Duration;

/**
 * Durations the way Go's {@code time.Duration} marshals them: an integer count of nanoseconds (Docker's
 * {@code Healthcheck} intervals). Stateless and thread-safe.
 */
public final class GoDuration {
    private GoDuration() {
    }

    /** Jackson serializer: nanoseconds as a JSON integer. */
    public static final class Serializer extends JsonSerializer<Duration> {
        @Override
        public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeNumber(value.toNanos());
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Duration value) {
            // Go's omitempty drops a zero Duration.
            return value == null || value.isZero();
        }
    }

    /** Jackson deserializer: a JSON integer of nanoseconds. */
    public static final class Deserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                return (Duration) context.handleUnexpectedToken(Duration.class, parser);
            }
            return Duration.ofNanos(parser.getLongValue());
        }
    }
}
