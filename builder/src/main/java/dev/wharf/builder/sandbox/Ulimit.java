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
     * Parses docker's {@code --ulimit NAME=SOFT[:HARD]} (HARD defaults to SOFT; {@code -1} is unlimited), refusing
     * what docker refuses in go-units' words ({@code ParseUlimit}), which pflag prints after
     * {@code invalid argument "..." for "--ulimit" flag: }. As in go-units, names are lower case ({@code NOFILE=1} is
     * refused, as buildx refuses it).
     *
     * @throws IllegalArgumentException with go-units' message
     */
    public static Ulimit parse(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("invalid ulimit argument: " + text);
        }
        String name = text.substring(0, eq);
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("invalid ulimit type: " + text.substring(0, eq));
        }
        String[] values = text.substring(eq + 1).split(":", -1);
        if (values.length > 2) {
            throw new IllegalArgumentException("too many limit value arguments - " + text.substring(eq + 1)
                    + ", can only have up to two, `soft[:hard]`");
        }
        // go-units reads the hard limit first.
        long hard = values.length == 2 ? value(values[1]) : 0;
        long soft = value(values[0]);
        if (values.length == 1) {
            hard = soft;
        }
        if (hard != -1 && soft > hard) {
            throw new IllegalArgumentException("ulimit soft limit must be less than or equal to hard limit: "
                    + soft + " > " + hard);
        }
        if (soft < -1 || hard < -1) {
            // go-units takes these, and the kernel refuses them when the step starts; refused here, before a build.
            throw new IllegalArgumentException("ulimit " + name + ": a limit is a number, or -1 for unlimited, not "
                    + Math.min(soft, hard));
        }
        return new Ulimit(name, soft == -1 ? Long.MAX_VALUE : soft, hard == -1 ? Long.MAX_VALUE : hard);
    }

    /** Go's {@code strconv.ParseInt(text, 10, 64)}, with its error's words. */
    private static long value(String text) {
        if (!text.matches("[+-]?[0-9]+")) {
            throw new IllegalArgumentException("strconv.ParseInt: parsing \"" + text + "\": invalid syntax");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("strconv.ParseInt: parsing \"" + text + "\": value out of range");
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
