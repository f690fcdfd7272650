package dev.wharf.grammar.instructions;

import java.util.Objects;

/**
 * One flag an instruction accepts: its name (without {@code --}), its type and its default value, as BuildKit's
 * {@code BFlags.AddBool/AddString/AddStrings} declare them.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name         the flag name, e.g. {@code from}
 * @param type         bool, string or repeatable string
 * @param defaultValue {@code "true"}/{@code "false"} for bool flags, the default text for string flags, ignored
 *                     for repeatable flags
 */
public record FlagSpec(String name, Type type, String defaultValue) {

    /** The kinds of flag BuildKit knows. */
    public enum Type {
        /** {@code --x}, {@code --x=true}, {@code --x=false} (case-insensitive). */
        BOOL,
        /** {@code --x=value}; given once. */
        STRING,
        /** {@code --x=value}; may be repeated, every value is kept. */
        STRINGS
    }

    public FlagSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
    }

    public static FlagSpec bool(String name, boolean defaultValue) {
        return new FlagSpec(name, Type.BOOL, Boolean.toString(defaultValue));
    }

    public static FlagSpec string(String name, String defaultValue) {
        return new FlagSpec(name, Type.STRING, defaultValue);
    }

    public static FlagSpec strings(String name) {
        return new FlagSpec(name, Type.STRINGS, "");
    }
}
