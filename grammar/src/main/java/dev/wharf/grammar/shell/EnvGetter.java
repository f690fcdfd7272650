package dev.wharf.grammar.shell;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The variables a word is expanded against: BuildKit's {@code shell.EnvGetter}.
 *
 * <p>Implementations must be immutable (or at least not change during an expansion) and thread-safe;
 * the ones made by the factories here are both.
 */
public interface EnvGetter {

    /**
     * The value of {@code name}, or {@code null} when it is not set (a variable set to the empty string
     * returns {@code ""}).
     */
    String get(String name);

    /** The variable names, in definition order (BuildKit keeps one entry per definition, duplicates too). */
    List<String> keys();

    /** {@link #get(String)} as an {@link Optional}. */
    default Optional<String> lookup(String name) {
        return Optional.ofNullable(get(name));
    }

    /** No variables at all. */
    static EnvGetter empty() {
        return KeyedEnv.EMPTY;
    }

    /**
     * Variables from {@code KEY=VALUE} entries, case-sensitive (Linux): BuildKit's {@code EnvsFromSlice}.
     * The entry is split at its first {@code =}; {@code KEY} alone means the empty value; the last
     * duplicate wins.
     */
    static EnvGetter fromList(List<String> entries) {
        return KeyedEnv.fromList(entries, false);
    }

    /**
     * Like {@link #fromList(List)}; with {@code caseInsensitive} the names compare the way they do on
     * Windows (BuildKit's {@code NormalizeEnvKey}: upper-cased rune by rune), and of entries that differ
     * only in case the last one wins.
     */
    static EnvGetter fromList(List<String> entries, boolean caseInsensitive) {
        return KeyedEnv.fromList(entries, caseInsensitive);
    }

    /** Variables from a map, case-sensitive. */
    static EnvGetter fromMap(Map<String, String> values) {
        return KeyedEnv.fromMap(values, false);
    }

    /**
     * Variables from a map; with {@code caseInsensitive}, names compare the Windows way. When two keys
     * differ only in case, which of them wins follows the map's iteration order (the later one), as in
     * BuildKit, where Go's map order makes it unspecified.
     */
    static EnvGetter fromMap(Map<String, String> values, boolean caseInsensitive) {
        return KeyedEnv.fromMap(values, caseInsensitive);
    }
}
