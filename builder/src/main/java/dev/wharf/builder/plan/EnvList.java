package dev.wharf.builder.plan;

import dev.wharf.grammar.shell.EnvGetter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The environment of a build state: BuildKit's {@code llb.EnvList}. Setting a variable replaces any earlier value
 * and moves the variable to the end, so the order is that of each variable's last definition.
 *
 * <p>Immutable and thread-safe.
 *
 * @param entries {@code KEY=VALUE} entries with unique keys
 */
public record EnvList(List<String> entries) {

    private static final EnvList EMPTY = new EnvList(List.of());

    public EnvList {
        entries = List.copyOf(entries);
    }

    public static EnvList empty() {
        return EMPTY;
    }

    /** This list with {@code key} set to {@code value} (BuildKit's {@code AddOrReplace}). */
    public EnvList addOrReplace(String key, String value) {
        List<String> out = new ArrayList<>(entries.size() + 1);
        for (String entry : entries) {
            if (!EnvEntry.parse(entry).key().equals(key)) {
                out.add(entry);
            }
        }
        out.add(key + "=" + value);
        return new EnvList(out);
    }

    /** This list without {@code key}. */
    public EnvList delete(String key) {
        return new EnvList(entries.stream().filter(e -> !EnvEntry.parse(e).key().equals(key)).toList());
    }

    /** The value of {@code key}. */
    public Optional<String> get(String key) {
        for (String entry : entries) {
            EnvEntry e = EnvEntry.parse(entry);
            if (e.key().equals(key)) {
                return Optional.of(e.value());
            }
        }
        return Optional.empty();
    }

    /** The variables in order. */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : entries) {
            EnvEntry e = EnvEntry.parse(entry);
            map.put(e.key(), e.value());
        }
        return map;
    }

    /** A view for word expansion. */
    public EnvGetter getter() {
        return EnvGetter.fromList(entries);
    }
}
