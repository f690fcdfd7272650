package dev.wharf.builder.plan;

import java.util.Objects;

/**
 * One {@code KEY=VALUE} entry of an environment list, split at the first {@code =} ({@code KEY} alone means an
 * empty value): BuildKit's {@code parseKeyValue} (dockerfile2llb/convert.go).
 *
 * <p>Immutable and thread-safe.
 */
public record EnvEntry(String key, String value) {

    public EnvEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /** Splits {@code entry} at its first {@code =}. */
    public static EnvEntry parse(String entry) {
        int eq = entry.indexOf('=');
        return eq < 0 ? new EnvEntry(entry, "") : new EnvEntry(entry.substring(0, eq), entry.substring(eq + 1));
    }

    /** {@code key=value}. */
    public String format() {
        return key + "=" + value;
    }
}
