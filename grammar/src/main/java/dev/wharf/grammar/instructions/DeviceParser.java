package dev.wharf.grammar.instructions;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.go.GoNumbers;
import dev.wharf.grammar.go.GoStrings;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code RUN --device} values: BuildKit's {@code ParseDevice} ({@code commands_rundevice.go}). The first
 * field that is not a known key is the device name; {@code required} may be bare or {@code =bool}.
 *
 * <p>Stateless and thread-safe.
 */
public final class DeviceParser {

    private DeviceParser() {
    }

    /** The device {@code value} describes; an unlocated error with BuildKit's message otherwise. */
    public static Device parse(String value) throws DockerfileException {
        List<String> fields;
        try {
            fields = Csv.fields(value);
        } catch (DockerfileException e) {
            throw Errors.unlocated("failed to parse csv devices: " + e.reason());
        }
        String name = "";
        boolean required = false;
        for (String field : fields) {
            int eq = field.indexOf('=');
            String key = GoStrings.toLower(eq < 0 ? field : field.substring(0, eq));
            String v = eq < 0 ? "" : field.substring(eq + 1);
            if (eq < 0) {
                if (key.equals("required")) {
                    required = true;
                } else if (name.isEmpty()) {
                    name = field;
                } else {
                    throw Errors.unlocated("invalid field '" + field + "' must be a key=value pair");
                }
                continue;
            }
            switch (key) {
                case "name" -> {
                    if (!name.isEmpty()) {
                        throw Errors.unlocated("device name already set to " + name);
                    }
                    name = v;
                }
                case "required" -> {
                    Optional<Boolean> b = GoNumbers.parseBool(v);
                    if (b.isEmpty()) {
                        throw Errors.unlocated("invalid value for " + key + ": " + v);
                    }
                    required = b.get();
                }
                default -> {
                    if (!name.isEmpty()) {
                        throw Errors.unlocated(Suggest.withHint("unexpected key '" + key + "' in '" + field + "'",
                                key, List.of("name", "required"), true));
                    }
                    name = field;
                }
            }
        }
        return new Device(name, required);
    }
}
