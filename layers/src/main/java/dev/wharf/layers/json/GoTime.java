package dev.wharf.layers.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.time.Instant;
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
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            // Go's MarshalJSON fails for such years; callers should never build one.
            throw new IllegalArgumentException("year outside 0..9999 in timestamp " + time);
        }
        StringBuilder out = dateAndTime(new StringBuilder(35), time.toLocalDateTime());
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
    /** {@code yyyy-MM-ddTHH:mm:ss}, the part RFC 3339 and Instant.toString share; the year is 0..9999. */
    private static StringBuilder dateAndTime(StringBuilder out, java.time.LocalDateTime time) {
        digits(out, time.getYear(), 4).append('-');
        digits(out, time.getMonthValue(), 2).append('-');
        digits(out, time.getDayOfMonth(), 2).append('T');
        digits(out, time.getHour(), 2).append(':');
        digits(out, time.getMinute(), 2).append(':');
        return digits(out, time.getSecond(), 2);
    }

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
        OffsetDateTime fast = parseCommon(text);
        if (fast != null) {
            return fast;
        }
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid RFC 3339 timestamp \"" + text + "\"", e);
        }
    }

    /**
     * {@link Instant#toString}'s text ({@code ISO_INSTANT}: seconds always, then 3, 6 or 9 digits of fraction when it
     * is not zero, {@code Z}), written by hand for the years 0 to 9999: a build writes one into every cache record,
     * and {@code Instant.toString} initialised DateTimeFormatter for it (its static formatters, in the interpreter).
     */
    public static String instantText(Instant instant) {
        OffsetDateTime time = instant.atOffset(ZoneOffset.UTC);
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            return instant.toString();
        }
        StringBuilder out = dateAndTime(new StringBuilder(30), time.toLocalDateTime());
        int nanos = time.getNano();
        if (nanos != 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(out, nanos / 1_000_000, 3);
            } else if (nanos % 1000 == 0) {
                digits(out, nanos / 1000, 6);
            } else {
                digits(out, nanos, 9);
            }
        }
        return out.append('Z').toString();
    }

    /**
     * An instant as {@link Instant#parse} reads it ({@code ISO_INSTANT}), the common UTC form
     * ({@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, what {@code Instant.toString} writes) read by hand as {@link #parse}
     * reads it: the build cache's records and the store's markers hold such times, and a cached build reads them
     * before anything else needs DateTimeFormatter.
     *
     * @throws java.time.format.DateTimeParseException as {@link Instant#parse} does
     */
    public static Instant instant(String text) {
        OffsetDateTime fast = text.endsWith("Z") ? parseCommon(text) : null;
        return fast != null ? fast.toInstant() : Instant.parse(text);
    }

    /**
     * The form {@link #format} and Go write ({@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]} then {@code Z} or
     * {@code ±hh:mm}), read by hand; null for anything else, which {@link #parse} leaves to
     * {@code ISO_OFFSET_DATE_TIME} (and so to its errors). Every image config and history entry a build reads has a
     * timestamp: the formatter's first use initialises DateTimeFormatter (its static formatters) and runs the
     * general parse-and-resolve machinery, about 40 classes and a few milliseconds of a cached build's interpreted
     * start, for text this reads in a few dozen character tests. Values out of range (month 13, February 30,
     * offset +19:00) also go to the formatter, which rejects them with its message.
     */
    private static OffsetDateTime parseCommon(String text) {
        int n = text.length();
        if (n < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 2);
        int day = number(text, 8, 2);
        int hour = number(text, 11, 2);
        int minute = number(text, 14, 2);
        int second = number(text, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            int start = ++at;
            while (at < n && at - start < 9 && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                nanos = nanos * 10 + text.charAt(at) - '0';
                at++;
            }
            int digits = at - start;
            if (digits == 0) {
                return null;
            }
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (at == n - 1 && text.charAt(at) == 'Z') {
            offsetSeconds = 0;
        } else if (at == n - 6 && (text.charAt(at) == '+' || text.charAt(at) == '-') && text.charAt(at + 3) == ':') {
            int hours = number(text, at + 1, 2);
            int minutes = number(text, at + 4, 2);
            if ((hours | minutes) < 0 || hours > 18 || minutes > 59) {
                return null;
            }
            int sign = text.charAt(at) == '-' ? -1 : 1;
            offsetSeconds = sign * (hours * 3600 + minutes * 60);
        } else {
            return null;
        }
        try {
            return OffsetDateTime.of(year, month, day, hour, minute, second, nanos,
                    ZoneOffset.ofTotalSeconds(offsetSeconds));
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** The decimal number of {@code width} ASCII digits at {@code from}, or -1 if one is no digit. */
    private static int number(String text, int from, int width) {
        int value = 0;
        for (int i = from; i < from + width; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + c - '0';
        }
        return value;
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
