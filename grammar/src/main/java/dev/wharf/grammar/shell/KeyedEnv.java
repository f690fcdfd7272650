package dev.wharf.grammar.shell;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link EnvGetter} the factories build: a hash map keyed by the (optionally normalized) name plus
 * the key list in definition order, like BuildKit's {@code envGetter}. Immutable and thread-safe.
 */
final class KeyedEnv implements EnvGetter {

    static final KeyedEnv EMPTY = new KeyedEnv(Map.of(), List.of(), false);

    private final Map<String, String> values;
    private final List<String> keys;
    private final boolean caseInsensitive;

    private KeyedEnv(Map<String, String> values, List<String> keys, boolean caseInsensitive) {
        this.values = values;
        this.keys = keys;
        this.caseInsensitive = caseInsensitive;
    }

    static KeyedEnv fromList(List<String> entries, boolean caseInsensitive) {
        Objects.requireNonNull(entries, "entries");
        Map<String, String> values = new HashMap<>(Math.max(16, entries.size() * 2));
        List<String> keys = new ArrayList<>(entries.size());
        for (String entry : entries) {
            Objects.requireNonNull(entry, "env entry");
            int eq = entry.indexOf('=');
            String key = eq < 0 ? entry : entry.substring(0, eq);
            String value = eq < 0 ? "" : entry.substring(eq + 1);
            keys.add(key);
            values.put(caseInsensitive ? EnvNames.normalize(key) : key, value);
        }
        return new KeyedEnv(values, List.copyOf(keys), caseInsensitive);
    }

    static KeyedEnv fromMap(Map<String, String> source, boolean caseInsensitive) {
        Objects.requireNonNull(source, "values");
        Map<String, String> values = new HashMap<>(Math.max(16, source.size() * 2));
        List<String> keys = new ArrayList<>(source.size());
        source.forEach((key, value) -> {
            Objects.requireNonNull(key, "env name");
            Objects.requireNonNull(value, "env value");
            keys.add(key);
            values.put(caseInsensitive ? EnvNames.normalize(key) : key, value);
        });
        return new KeyedEnv(values, List.copyOf(keys), caseInsensitive);
    }

    boolean caseInsensitive() {
        return caseInsensitive;
    }

    @Override
    public String get(String name) {
        return values.get(caseInsensitive ? EnvNames.normalize(name) : name);
    }

    @Override
    public List<String> keys() {
        return keys;
    }

    @Override
    public String toString() {
        return "EnvGetter" + keys;
    }
}
