package dev.wharf.builder.sandbox;

import java.util.Locale;
import java.util.Objects;

/**
 * A resource limit for the sandboxed process, as given by {@code --ulimit name=soft:hard}. Immutable.
 *
 * @param name lower-case resource name without the {@code RLIMIT_} prefix, e.g. {@code nofile}
 */
public record Ulimit(String name, long soft, long hard) {
    /** The resources docker's {@code --ulimit} knows (go-units' {@code ulimitNameMapping}). */
    private static final java.util.List<String> NAMES = java.util.List.of("as", "core", "cpu", "data", "fsize",
            "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending",
            "stack");

    public Ulimit {
        Objects.requireNonNull(name, "name");
        name = name.toLowerCase(Locale.ROOT);
        if (soft < 0 || hard < 0 || soft > hard) {
            throw new IllegalArgumentException("ulimit " + name + ": need 0 <= soft <= hard, got " + soft + ":"
                    + hard);
        }
    }

    /**
     * Parses docker's {@code --ulimit NAME=SOFT[:HARD]} (HARD defaults to SOFT; {@code -1} is unlimited).
     *
     * @throws IllegalArgumentException naming the expected form or the unknown resource
     */
    public static Ulimit parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new IllegalArgumentException("invalid --ulimit '" + text + "'; give NAME=SOFT[:HARD], e.g. "
                    + "nofile=1024:4096");
        }
        String name = text.substring(0, eq).toLowerCase(Locale.ROOT);
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("invalid --ulimit '" + text + "': unknown resource " + name
                    + "; known: " + String.join(", ", NAMES));
        }
        String[] values = text.substring(eq + 1).split(":", -1);
        if (values.length > 2) {
            throw new IllegalArgumentException("invalid --ulimit '" + text + "'; give NAME=SOFT[:HARD]");
        }
        long soft = value(values[0], text);
        long hard = values.length == 2 ? value(values[1], text) : soft;
        if (soft > hard) {
            throw new IllegalArgumentException("invalid --ulimit '" + text + "': the soft limit " + values[0]
                    + " is above the hard limit " + values[1]);
        }
        return new Ulimit(name, soft, hard);
    }

    private static long value(String text, String whole) {
        try {
            long v = Long.parseLong(text.trim());
            if (v == -1) {
                return Long.MAX_VALUE;
            }
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid --ulimit '" + whole + "': '" + text
                    + "' is not a limit (a number, or -1 for unlimited)");
        }
    }

    /** The form {@link #parse} reads, for cache keys and messages. */
    @Override
    public String toString() {
        return name + "=" + (soft == Long.MAX_VALUE ? "-1" : Long.toString(soft)) + ":"
                + (hard == Long.MAX_VALUE ? "-1" : Long.toString(hard));
    }

    /** The OCI spec name, e.g. {@code RLIMIT_NOFILE}, built as BuildKit's {@code generateRlimitOpts} does. */
    public String ociType() {
        return "RLIMIT_" + name.toUpperCase(Locale.ROOT);
    }
}
