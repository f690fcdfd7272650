package dev.wharf.layers.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.json.CanonicalJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the complete entries of a damaged {@code index.json}: the descriptors of its top-level {@code manifests}
 * array that parse whole before the damage (a truncated write keeps the ones before the tear). Entries after the
 * first fault are not guessed at.
 *
 * <p>Stateless and thread-safe.
 */
final class IndexSalvage {
    private IndexSalvage() {
    }

    /** The complete descriptors before the first fault of {@code bytes}, in order; empty if there are none. */
    static List<Descriptor> entries(byte[] bytes, CanonicalJson json) {
        List<Descriptor> found = new ArrayList<>();
        ObjectMapper trees = new ObjectMapper();
        try (JsonParser parser = trees.getFactory().createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return found;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!"manifests".equals(field) || value != JsonToken.START_ARRAY) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == JsonToken.START_OBJECT) {
                    JsonNode entry = trees.readTree(parser);
                    found.add(json.read(entry, Descriptor.class, "an entry of a damaged index.json"));
                }
                return found;
            }
        } catch (IOException | RuntimeException e) {
            // The damage: keep what parsed before it.
        }
        return found;
    }
}
