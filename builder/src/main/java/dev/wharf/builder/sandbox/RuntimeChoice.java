package dev.wharf.builder.sandbox;

import java.util.Locale;

/** The value of {@code --runtime}: which sandbox implementation runs RUN steps. */
public enum RuntimeChoice {
    /** runc if installed, else crun, else the built-in sandbox. */
    AUTO,
    RUNC,
    CRUN,
    BUILTIN;

    /** Parses {@code auto|runc|crun|builtin}, case-insensitively. */
    public static RuntimeChoice parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown runtime \"" + value + "\"; use auto, runc, crun or builtin",
                    e);
        }
    }
}
