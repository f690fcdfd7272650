package dev.wharf.grammar.instructions;

import java.util.Locale;
import java.util.Optional;

/** The {@code RUN --security} modes BuildKit accepts ({@code commands_runsecurity.go}). */
public enum SecurityMode {
    SANDBOX, INSECURE;

    /** The mode as written in a Dockerfile. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode for an exact (case-sensitive) value, as upstream matches it. */
    public static Optional<SecurityMode> of(String value) {
        for (SecurityMode mode : values()) {
            if (mode.value().equals(value)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
