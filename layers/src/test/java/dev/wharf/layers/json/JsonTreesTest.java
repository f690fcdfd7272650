package dev.wharf.layers.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link JsonTrees#parse} against the {@code new ObjectMapper().readTree} it replaces in the registry client. */
class JsonTreesTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void parse_givesTheTreeOfADefaultObjectMapper() throws IOException {
        for (String json : List.of("{\"token\":\"t\",\"expires_in\":300,\"x\":[1.50,2e3,null,true,{}]}", "",
                "   ", "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"m\"}]} trailing", "12345678901",
                "123456789012345678901234567890", "\"text\"", "[1,[2,[3]]]", "{\"a\":1,\"a\":{\"b\":2,\"a\":3}}",
                "{\"Username\":\"u\",\"Secret\":\"\\u00e9\"}")) {
            assertEquals(mapper.readTree(json), JsonTrees.parse(json), json);
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            assertEquals(mapper.readTree(bytes), JsonTrees.parse(bytes), json);
        }
    }

    @Test
    void parse_rejectsWhatADefaultObjectMapperRejects() {
        for (String json : List.of("{", "{\"a\":}", "[1,]", "nul", "{'a':1}")) {
            assertThrows(IOException.class, () -> mapper.readTree(json), json);
            assertThrows(IOException.class, () -> JsonTrees.parse(json), json);
        }
    }
}
