package dev.wharf.layers.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Timestamps in the form Go's {@code time.Time.MarshalJSON} writes: RFC 3339 with nanoseconds, trailing zeros of the
 * fraction dropped, {@code Z} for UTC and {@code ±hh:mm} otherwise (Go's {@code time.RFC3339Nano}).
 *
 * <p>Stateless and thread-safe. The offset is kept, as Go keeps it, so a timestamp read and written back is unchanged.
 */
public final class GoTime {
    private GoTime() {
    }

    /**
     * Formats like Go's RFC3339Nano. Digits are appended by hand: {@code String.format} parses its pattern and looks
     * up the locale's digits on every call, which cost a fresh process more than writing the config that holds the
     * timestamps (and a locale with other digits would make them non-ASCII).
     */
    public static String format(OffsetDateTime time) {
        StringBuilder out = new StringBuilder(35);
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            // Go's MarshalJSON fails for such years; callers should never build one.
            throw new IllegalArgumentException("year outside 0..9999 in timestamp " + time);
        }
        digits(out, year, 4).append('-');
        digits(out, time.getMonthValue(), 2).append('-');
        digits(out, time.getDayOfMonth(), 2).append('T');
        digits(out, time.getHour(), 2).append(':');
        digits(out, time.getMinute(), 2).append(':');
        digits(out, time.getSecond(), 2);
        int nanos = time.getNano();
        if (nanos != 0) {
            // Nine digits, trailing zeros dropped.
            int width = 9;
            while (nanos % 10 == 0) {
                nanos /= 10;
                width--;
            }
            digits(out.append('.'), nanos, width);
        }
        ZoneOffset offset = time.getOffset();
        if (offset.getTotalSeconds() == 0) {
            out.append('Z');
        } else {
            int total = offset.getTotalSeconds();
            int minutes = Math.abs(total) / 60;
            digits(out.append(total < 0 ? '-' : '+'), minutes / 60, 2).append(':');
            digits(out, minutes % 60, 2);
        }
        return out.toString();
    }

    /** Appends a non-negative number with leading zeros to {@code width} digits. */
    private static StringBuilder digits(StringBuilder out, int value, int width) {
        String text = Integer.toString(value);
        for (int i = text.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(text);
    }

    /**
     * Parses an RFC 3339 timestamp.
     *
     * @throws IllegalArgumentException if the text is not RFC 3339
     */
    public static OffsetDateTime parse(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid RFC 3339 timestamp \"" + text + "\"", e);
        }
    }

    /** Jackson serializer for {@link OffsetDateTime} in Go's form. */
    public static final class Serializer extends JsonSerializer<OffsetDateTime> {
        @Override
        public void serialize(OffsetDateTime value, JsonGenerator gen, SerializerProvider serializers)
                throws IOException {
            gen.writeString(format(value));
        }
    }

    /** Jackson deserializer for {@link OffsetDateTime} from RFC 3339 text. */
    public static final class Deserializer extends JsonDeserializer<OffsetDateTime> {
        @Override
        public OffsetDateTime deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String text = parser.getValueAsString();
            if (text == null) {
                return (OffsetDateTime) context.handleUnexpectedToken(OffsetDateTime.class, parser);
            }
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                return (OffsetDateTime) context.handleWeirdStringValue(OffsetDateTime.class, text, e.getMessage());
            }
        }
    }
}
