package dev.wharf.cli;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The {@code --progress} modes of {@code wharf build}, BuildKit's names. */
enum ProgressMode {
    /** tty on a terminal, else plain. */
    AUTO,
    /** A compact live view redrawn in place. */
    TTY,
    /** {@code #N ...} lines, BuildKit's plain printer. */
    PLAIN,
    /** One {@code SolveStatus} JSON object per line. */
    RAWJSON,
    /** Nothing but the image id (on standard output). */
    QUIET,
    /** Nothing at all (buildx's {@code --progress=none}: quiet without the image id). */
    NONE;

    /**
     * The mode {@code text} names, in lower case as buildx's printer compares them ({@code PLAIN} and {@code Plain}
     * are "invalid progress mode"); empty for an unknown name.
     */
    static Optional<ProgressMode> parse(String text) {
        if (text.isEmpty()) {
            // buildx's progressui.DefaultMode is "": --progress "$P" with P unset is auto, not an error.
            return Optional.of(AUTO);
        }
        for (ProgressMode mode : values()) {
            if (mode.toString().equals(text)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }

    /**
     * The mode to use: AUTO becomes TTY when a console is attached and {@code TERM} is set and not {@code dumb}
     * (as BuildKit checks for a console and the docker CLI for a dumb terminal), PLAIN otherwise.
     */
    ProgressMode resolve(boolean console, Map<String, String> env) {
        if (this != AUTO) {
            return this;
        }
        String term = env.getOrDefault("TERM", "");
        return console && !term.isEmpty() && !term.equals("dumb") ? TTY : PLAIN;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
