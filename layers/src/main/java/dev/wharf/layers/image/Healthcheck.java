package dev.wharf.layers.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.wharf.layers.json.GoDuration;
import java.time.Duration;
import java.util.List;

/**
 * A container health check as Docker stores it in an image config ({@code HEALTHCHECK}), the
 * {@code HealthcheckConfig} of {@code github.com/moby/docker-image-spec/specs-go/v1}.
 *
 * <p>An immutable record, thread-safe. Durations are written as Go writes {@code time.Duration}: integer
 * nanoseconds; zero durations and zero retries are absent (Go's {@code omitempty}) and normalized to null and 0.
 *
 * @param test the probe: {@code ["NONE"]} disables an inherited check, {@code ["CMD", args...]} runs a command,
 *     {@code ["CMD-SHELL", command]} runs it through the shell; empty means inherit
 * @param interval time between checks, or null
 * @param timeout time after which a check counts as hung, or null
 * @param startPeriod grace time for the container to start, or null
 * @param startInterval time between checks during the start period, or null
 * @param retries consecutive failures needed to report unhealthy; 0 means unset
 */
@JsonPropertyOrder({"Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"})
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Healthcheck(
        @JsonProperty("Test") List<String> test,
        @JsonProperty("Interval") @JsonSerialize(using = GoDuration.Serializer.class)
                @JsonDeserialize(using = GoDuration.Deserializer.class) Duration interval,
        @JsonProperty("Timeout") @JsonSerialize(using = GoDuration.Serializer.class)
                @JsonDeserialize(using = GoDuration.Deserializer.class) Duration timeout,
        @JsonProperty("StartPeriod") @JsonSerialize(using = GoDuration.Serializer.class)
                @JsonDeserialize(using = GoDuration.Deserializer.class) Duration startPeriod,
        @JsonProperty("StartInterval") @JsonSerialize(using = GoDuration.Serializer.class)
                @JsonDeserialize(using = GoDuration.Deserializer.class) Duration startInterval,
        @JsonProperty("Retries") @JsonInclude(JsonInclude.Include.NON_DEFAULT) int retries) {

    /** Normalizes: lists copied, zero durations to null (both mean "not set"). */
    public Healthcheck {
        test = Copies.strings(test);
        interval = zeroToNull(interval);
        timeout = zeroToNull(timeout);
        startPeriod = zeroToNull(startPeriod);
        startInterval = zeroToNull(startInterval);
        if (retries < 0) {
            throw new IllegalArgumentException("healthcheck retries must not be negative: " + retries);
        }
    }

    private static Duration zeroToNull(Duration d) {
        return d == null || d.isZero() ? null : d;
    }
}
