package dev.wharf.maven;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;

/**
 * Reads Maven's reproducible-build timestamp, {@code project.build.outputTimestamp}, as the image's
 * {@code SOURCE_DATE_EPOCH}: seconds since 1970, or an ISO-8601 date-time with an offset. A value of fewer than two
 * characters means "not set", as for maven-archiver (a lone {@code 0} or {@code x} disables it there too).
 *
 * <p>Stateless and thread-safe.
 */
final class SourceDateEpoch {
    private SourceDateEpoch() {
    }

    /**
     * @throws IllegalArgumentException when the value is neither seconds nor an ISO-8601 date-time with offset
     */
    static OptionalLong fromOutputTimestamp(String value) {
        if (value == null || value.strip().length() < 2) {
            return OptionalLong.empty();
        }
        String v = value.strip();
        if (v.chars().allMatch(Character::isDigit)) {
            return OptionalLong.of(Long.parseLong(v));
        }
        try {
            return OptionalLong.of(OffsetDateTime.parse(v).toEpochSecond());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("project.build.outputTimestamp '" + v + "' is neither seconds since"
                    + " 1970 nor an ISO-8601 date-time such as 2024-01-01T00:00:00Z", e);
        }
    }
}
