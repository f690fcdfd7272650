package dev.wharf.builder.sandbox;

import java.util.Locale;
import java.util.Objects;

/**
 * A resource limit for the sandboxed process, as given by {@code --ulimit name=soft:hard}. Immutable.
 *
 * @param name lower-case resource name without the {@code RLIMIT_} prefix, e.g. {@code nofile}
 */
public record Ulimit(String name, long soft, long hard) {
    public Ulimit {
        Objects.requireNonNull(name, "name");
        name = name.toLowerCase(Locale.ROOT);
        if (soft < 0 || hard < 0 || soft > hard) {
            throw new IllegalArgumentException("ulimit " + name + ": need 0 <= soft <= hard, got " + soft + ":"
                    + hard);
        }
    }

    /** The OCI spec name, e.g. {@code RLIMIT_NOFILE}, built as BuildKit's {@code generateRlimitOpts} does. */
    public String ociType() {
        return "RLIMIT_" + name.toUpperCase(Locale.ROOT);
    }
}
