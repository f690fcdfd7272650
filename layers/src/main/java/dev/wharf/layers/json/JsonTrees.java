package dev.wharf.layers.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads and writes Jackson trees ({@link JsonNode}) straight on a streaming parser or generator, without an
 * {@code ObjectMapper}: making a mapper in a fresh JVM (its static state, its date format's locale data, its
 * deserializer caches) costs tens of milliseconds, more than the small documents wharf reads on every command.
 *
 * <p>The trees are the ones {@code ObjectMapper.readTree} builds with default settings: integers as {@link IntNode},
 * {@link LongNode} or {@link BigIntegerNode} by size; fractions as {@link DoubleNode}, or, when asked (as
 * {@code DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS} does), as {@link DecimalNode}s that keep the digits
 * as written; a duplicate key keeps its first position and its last value. Writing gives what
 * {@code ObjectMapper} writes for a tree: object members in their order, numbers in their Java form. Stateless.
 */
public final class JsonTrees {
    /** Default settings, never reconfigured: thread-safe. */
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonTrees() {
    }

    /**
     * Parses a document into a tree as {@code new ObjectMapper().readTree(json)} does: its first value, fractions
     * as {@link DoubleNode}s, anything after that value ignored, and no content at all a {@link MissingNode}.
     *
     * @throws IOException if the document does not start with well-formed JSON
     */
    public static JsonNode parse(byte[] json) throws IOException {
        try (JsonParser parser = FACTORY.createParser(json)) {
            return parser.nextToken() == null ? MissingNode.getInstance() : read(parser, false);
        }
    }

    /** Parses a document given as text, as {@link #parse(byte[])} does. */
    public static JsonNode parse(String json) throws IOException {
        try (JsonParser parser = FACTORY.createParser(json)) {
            return parser.nextToken() == null ? MissingNode.getInstance() : read(parser, false);
        }
    }

    /**
     * Reads the value at the parser's current token (which must be the value's first token) into a tree; the parser
     * is left on the value's last token.
     *
     * @param bigDecimals read fractions as {@link DecimalNode}s (exact) instead of {@link DoubleNode}s
     * @throws IOException if the input is not well-formed JSON
     */
    public static JsonNode read(JsonParser parser, boolean bigDecimals) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == null) {
            throw new JsonParseException(parser, "no JSON value: end of input");
        }
        switch (token) {
            case START_OBJECT: {
                ObjectNode object = JsonNodeFactory.instance.objectNode();
                for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                    parser.nextToken();
                    object.replace(name, read(parser, bigDecimals));
                }
                return object;
            }
            case START_ARRAY: {
                ArrayNode array = JsonNodeFactory.instance.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(parser, bigDecimals));
                }
                return array;
            }
            case VALUE_STRING:
                return TextNode.valueOf(parser.getText());
            case VALUE_NUMBER_INT:
                return switch (parser.getNumberType()) {
                    case INT -> IntNode.valueOf(parser.getIntValue());
                    case LONG -> LongNode.valueOf(parser.getLongValue());
                    default -> BigIntegerNode.valueOf(parser.getBigIntegerValue());
                };
            case VALUE_NUMBER_FLOAT:
                return bigDecimals && !parser.isNaN() ? DecimalNode.valueOf(parser.getDecimalValue())
                        : DoubleNode.valueOf(parser.getDoubleValue());
            case VALUE_TRUE:
                return BooleanNode.TRUE;
            case VALUE_FALSE:
                return BooleanNode.FALSE;
            case VALUE_NULL:
                return NullNode.getInstance();
            default:
                throw new JsonParseException(parser, "unexpected JSON token " + token);
        }
    }

    /** Writes a tree: objects' members in their order, as {@code ObjectMapper} writes a {@link JsonNode}. */
    public static void write(JsonGenerator generator, JsonNode node) throws IOException {
        if (node.isObject()) {
            generator.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                generator.writeFieldName(member.getKey());
                write(generator, member.getValue());
            }
            generator.writeEndObject();
        } else if (node.isArray()) {
            generator.writeStartArray();
            for (JsonNode element : node) {
                write(generator, element);
            }
            generator.writeEndArray();
        } else if (node.isTextual()) {
            generator.writeString(node.textValue());
        } else if (node.isNumber()) {
            switch (node.numberType()) {
                case INT -> generator.writeNumber(node.intValue());
                case LONG -> generator.writeNumber(node.longValue());
                case BIG_INTEGER -> generator.writeNumber(node.bigIntegerValue());
                case FLOAT -> generator.writeNumber(node.floatValue());
                case DOUBLE -> generator.writeNumber(node.doubleValue());
                default -> generator.writeNumber(node.decimalValue());
            }
        } else if (node.isBoolean()) {
            generator.writeBoolean(node.booleanValue());
        } else if (node.isNull()) {
            generator.writeNull();
        } else if (node.isBinary()) {
            generator.writeBinary(node.binaryValue());
        } else {
            // POJO and missing nodes come from code, never from parsing; they have no JSON form of their own.
            throw new IllegalArgumentException("cannot write a JSON tree node of type " + node.getNodeType());
        }
    }
}
