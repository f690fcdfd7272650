package dev.wharf.layers.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.util.Collections;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A set of strings stored as a JSON object whose values are empty objects, Go's {@code map[string]struct{}}:
 * {@code ExposedPorts} ({@code {"80/tcp":{}}}) and {@code Volumes}. Keys are written sorted, as Go does.
 * Stateless and thread-safe.
 */
public final class EmptyObjectSet {
    private EmptyObjectSet() {
    }

    /** Jackson serializer: {@code {"key":{},...}} in sorted key order. */
    public static final class Serializer extends JsonSerializer<Set<String>> {
        @Override
        public void serialize(Set<String> value, JsonGenerator gen, SerializerProvider serializers)
                throws IOException {
            gen.writeStartObject();
            for (String key : new TreeSet<>(value)) {
                gen.writeFieldName(key);
                gen.writeStartObject();
                gen.writeEndObject();
            }
            gen.writeEndObject();
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Set<String> value) {
            return value == null || value.isEmpty();
        }
    }

    /** Jackson deserializer: the keys of a JSON object; values are read and ignored (Docker writes {@code {}}). */
    public static final class Deserializer extends JsonDeserializer<SortedSet<String>> {
        @Override
        public SortedSet<String> deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                @SuppressWarnings("unchecked")
                SortedSet<String> handled = (SortedSet<String>) context.handleUnexpectedToken(SortedSet.class, parser);
                return handled;
            }
            TreeSet<String> keys = new TreeSet<>();
            for (String key = parser.nextFieldName(); key != null; key = parser.nextFieldName()) {
                parser.nextToken();
                parser.skipChildren();
                keys.add(key);
            }
            return Collections.unmodifiableSortedSet(keys);
        }

        @Override
        public SortedSet<String> getNullValue(DeserializationContext context) {
            return Collections.emptySortedSet();
        }
    }
}
