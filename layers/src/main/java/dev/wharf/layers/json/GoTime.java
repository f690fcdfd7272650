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

    /** Formats like Go's RFC3339Nano. */
    public static String format(OffsetDateTime time) {
        StringBuilder out = new StringBuilder(35);
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            // Go's MarshalJSON fails for such years; callers should never build one.
            throw new IllegalArgumentException("year outside 0..9999 in timestamp " + time);
        }
        out.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d", year, time.getMonthValue(), time.getDayOfMonth(),
                time.getHour(), time.getMinute(), time.getSecond()));
        int nanos = time.getNano();
        if (nanos != 0) {
            String fraction = String.format("%09d", nanos);
            int end = fraction.length();
            while (fraction.charAt(end - 1) == '0') {
                end--;
            }
            out.append('.').append(fraction, 0, end);
        }
        ZoneOffset offset = time.getOffset();
        if (offset.getTotalSeconds() == 0) {
            out.append('Z');
        } else {
            int total = offset.getTotalSeconds();
            int minutes = Math.abs(total) / 60;
            out.append(total < 0 ? '-' : '+').append(String.format("%02d:%02d", minutes / 60, minutes % 60));
        }
        return out.toString();
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
