package dev.wharf.layers.image;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Defensive copies for the model records. Stateless.
 *
 * <p>Null handling follows Go's decoder where BuildKit would accept the document: a JSON {@code null} inside a
 * string array or string map decodes to {@code ""} there, so it does here; a {@code null} where an object is expected
 * (a history entry, a descriptor) is rejected with a message naming the field.
 */
final class Copies {
    private Copies() {
    }

    /** Copies a list of strings, treating a null list as empty and null elements as "" (Go's zero value). */
    static List<String> strings(List<String> list) {
        if (list == null) {
            return List.of();
        }
        return list.stream().map(s -> s == null ? "" : s).toList();
    }

    /** Copies a string map into a sorted, unmodifiable map, with null values as "" (Go's zero value). */
    static SortedMap<String, String> stringMap(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return Collections.emptySortedMap();
        }
        TreeMap<String, String> copy = new TreeMap<>();
        map.forEach((k, v) -> copy.put(k, v == null ? "" : v));
        return Collections.unmodifiableSortedMap(copy);
    }

    /** Copies a list, treating null as empty; a null element is malformed input. */
    static <T> List<T> list(List<T> list, String field) {
        if (list == null) {
            return List.of();
        }
        for (T element : list) {
            if (element == null) {
                throw new IllegalArgumentException(field + " contains null");
            }
        }
        return List.copyOf(list);
    }
}
