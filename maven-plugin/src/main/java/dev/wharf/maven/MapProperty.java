package dev.wharf.maven;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the command-line form of a map parameter, {@code -Dwharf.buildArgs=NAME=value,NAME2=value2} (and
 * {@code wharf.labels}, {@code wharf.annotations}, {@code wharf.secrets} and {@code wharf.buildContexts} alike).
 * Maven cannot convert a property into a map parameter, so the plugin parses it itself, as Jib does for its map
 * properties.
 *
 * <p>Stateless and thread-safe.
 */
final class MapProperty {
    /** The user property holding build args. */
    static final String BUILD_ARGS = "wharf.buildArgs";
    /** The user property holding labels. */
    static final String LABELS = "wharf.labels";
    /** The user property holding annotations, {@code [TYPE:]KEY=VALUE} as {@code docker buildx --annotation}. */
    static final String ANNOTATIONS = "wharf.annotations";
    /** The user property holding secrets, {@code ID=FILE}. */
    static final String SECRETS = "wharf.secrets";
    /** The user property holding named contexts, {@code NAME=VALUE} as {@code docker buildx --build-context}. */
    static final String BUILD_CONTEXTS = "wharf.buildContexts";

    private MapProperty() {
    }

    /**
     * Parses the value of the property {@code name}: {@code NAME=value} pairs separated by commas. A pair without
     * {@code =} is rejected, as {@code docker build --build-arg NAME} without a value would take it from the
     * environment, which a Maven build should not do silently. Blank input yields an empty map.
     *
     * @throws IllegalArgumentException naming the property and the bad pair
     */
    static Map<String, String> parse(String name, String value) {
        Map<String, String> entries = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return entries;
        }
        for (String pair : value.split(",")) {
            String trimmed = pair.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(name + " needs NAME=value pairs separated by commas, not '"
                        + trimmed + "'");
            }
            entries.put(trimmed.substring(0, eq), trimmed.substring(eq + 1));
        }
        return entries;
    }
}
