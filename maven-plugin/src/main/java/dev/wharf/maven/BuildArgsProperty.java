package dev.wharf.maven;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the {@code -Dwharf.buildArgs=NAME=value,NAME2=value2} command-line form of the {@code buildArgs} map.
 * Maven cannot convert a property into a map parameter, so the plugin parses it itself, as Jib does for its map
 * properties.
 *
 * <p>Stateless and thread-safe.
 */
final class BuildArgsProperty {
    /** The user property holding build args. */
    static final String NAME = "wharf.buildArgs";

    private BuildArgsProperty() {
    }

    /**
     * Parses {@code NAME=value} pairs separated by commas; a pair without {@code =} is rejected, as
     * {@code docker build --build-arg NAME} without a value would take it from the environment, which a Maven
     * build should not do silently. Blank input yields an empty map.
     *
     * @throws IllegalArgumentException naming the bad pair
     */
    static Map<String, String> parse(String value) {
        Map<String, String> args = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return args;
        }
        for (String pair : value.split(",")) {
            String trimmed = pair.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(NAME + " needs NAME=value pairs separated by commas, not '"
                        + trimmed + "'");
            }
            args.put(trimmed.substring(0, eq), trimmed.substring(eq + 1));
        }
        return args;
    }
}
