package dev.wharf.layers;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Objects;

/**
 * The platform an image runs on, as in OCI image-spec {@code specs-go/v1/descriptor.go} {@code Platform}.
 *
 * <p>An immutable record, thread-safe. Optional text fields are {@code null} when absent (the spec omits them when
 * empty); {@code osFeatures} is never null. Docker manifest lists also carry a deprecated {@code features} field,
 * which is tolerated on read and not written.
 *
 * @param architecture CPU architecture in GOARCH terms, e.g. {@code amd64}, {@code arm64}
 * @param os operating system in GOOS terms, e.g. {@code linux}
 * @param osVersion OS version (Windows), or null
 * @param osFeatures required OS features (Windows), possibly empty
 * @param variant CPU variant, e.g. {@code v8} for arm64, or null
 */
@JsonPropertyOrder({"architecture", "os", "os.version", "os.features", "variant"})
public record Platform(
        @JsonProperty("architecture") @JsonInclude(JsonInclude.Include.ALWAYS) String architecture,
        @JsonProperty("os") @JsonInclude(JsonInclude.Include.ALWAYS) String os,
        @JsonProperty("os.version") @JsonInclude(JsonInclude.Include.NON_EMPTY) String osVersion,
        @JsonProperty("os.features") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> osFeatures,
        @JsonProperty("variant") @JsonInclude(JsonInclude.Include.NON_EMPTY) String variant) {

    /** Normalizes: architecture and os default to "" (Go's zero value, always written); features are copied. */
    public Platform {
        architecture = architecture == null ? "" : architecture;
        os = os == null ? "" : os;
        osVersion = emptyToNull(osVersion);
        osFeatures = osFeatures == null ? List.of() : osFeatures.stream().map(f -> f == null ? "" : f).toList();
        variant = emptyToNull(variant);
    }

    /** Makes a platform from os and architecture, e.g. {@code of("linux", "amd64")}. */
    public static Platform of(String os, String architecture) {
        return new Platform(Objects.requireNonNull(architecture, "architecture"), Objects.requireNonNull(os, "os"),
                null, null, null);
    }

    /** Returns a copy with the given variant. */
    public Platform withVariant(String newVariant) {
        return new Platform(architecture, os, osVersion, osFeatures, newVariant);
    }

    /** Returns the conventional text form {@code os/arch[/variant]}, e.g. {@code linux/arm64/v8}. */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
