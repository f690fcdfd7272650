package dev.wharf.cli;

/**
 * The {@code --call} value of {@code wharf build}, parsed as buildx parses it (util/buildflags/callfunc.go,
 * ParseCallFunc): a method name ({@code build}, {@code check} — an alias of {@code lint} —, {@code targets} ...)
 * and the options {@code format=} and {@code ignorestatus=}, comma-separated.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param name         the method, {@code check} already turned into {@code lint}
 * @param format       {@code format=}, "" when not given
 * @param ignoreStatus {@code ignorestatus=true}: exit 0 even when the method's result says otherwise
 */
record CallFunction(String name, String format, boolean ignoreStatus) {
    /** The method of a plain build. */
    static final String BUILD = "build";

    /**
     * Parses a {@code --call} value.
     *
     * @throws IllegalArgumentException in buildx's words, for an unknown field or two method names
     */
    static CallFunction parse(String value) {
        String name = "";
        String format = "";
        boolean ignoreStatus = false;
        // buildx util/buildflags/callfunc.go: one CSV line (csvvalue.Fields).
        for (String field : dev.wharf.grammar.go.GoCsv.fields(value)) {
            int eq = field.indexOf('=');
            if (eq >= 0) {
                String key = field.substring(0, eq);
                String v = field.substring(eq + 1);
                switch (key) {
                    case "format" -> format = v;
                    case "ignorestatus" -> ignoreStatus = dev.wharf.grammar.go.GoNumbers.parseBool(v).orElseThrow(
                            () -> new IllegalArgumentException("invalid ignorestatus print value: " + v));
                    default -> throw new IllegalArgumentException("invalid print field: " + field);
                }
            } else {
                if (!name.isEmpty()) {
                    throw new IllegalArgumentException("invalid print value: " + value);
                }
                name = field;
            }
        }
        // "check" was added as an alias of "lint" (callfunc.go).
        return new CallFunction(name.equals("check") ? "lint" : name, format, ignoreStatus);
    }

    /** Whether this is a plain build (buildx: the method {@code build}, or none). */
    boolean isBuild() {
        return name.isEmpty() || name.equals(BUILD);
    }
}
