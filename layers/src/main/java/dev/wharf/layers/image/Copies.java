package dev.wharf.layers.image;

import java.util.List;

/** Defensive copies for the model records that reject null elements with a message naming the field. Stateless. */
final class Copies {
    private Copies() {
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
