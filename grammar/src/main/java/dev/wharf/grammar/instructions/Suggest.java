package dev.wharf.grammar.instructions;

import dev.wharf.grammar.go.GoStrings;
import java.util.List;

/**
 * BuildKit's misspelling hint ({@code util/suggest}): appends {@code " (did you mean X?)"} to a message when an
 * option is within Levenshtein distance 2 of the unknown value.
 *
 * <p>Stateless and thread-safe.
 */
public final class Suggest {

    private Suggest() {
    }

    /**
     * {@code message} plus the hint for {@code value}. Upstream walks a Go map (random order) and keeps the
     * first closest option; wharf walks {@code options} in the given order so the result is reproducible.
     */
    static String withHint(String message, String value, List<String> options, boolean caseSensitive) {
        String match = search(value, options, caseSensitive);
        return match.isEmpty() ? message : message + " (did you mean " + match + "?)";
    }

    /** The closest option, or "" when none is close enough or the value matches one exactly. */
    public static String search(String value, List<String> options, boolean caseSensitive) {
        String val = caseSensitive ? value : GoStrings.toLower(value);
        String match = "";
        int minDistance = 3; // same as upstream (and hcl)
        for (String option : options) {
            String opt = caseSensitive ? option : GoStrings.toLower(option);
            if (val.equals(opt)) {
                return "";
            }
            int distance = distance(val, opt);
            if (distance < minDistance) {
                match = caseSensitive ? opt : matchCase(opt, value);
                minDistance = distance;
            }
        }
        return match;
    }

    private static String matchCase(String candidate, String original) {
        if (original.equals(GoStrings.toLower(original))) {
            return GoStrings.toLower(candidate);
        }
        if (original.equals(GoStrings.toUpper(original))) {
            return GoStrings.toUpper(candidate);
        }
        return candidate;
    }

    /** Levenshtein distance over code points, unit costs (agext/levenshtein defaults). */
    static int distance(String a, String b) {
        int[] x = a.codePoints().toArray();
        int[] y = b.codePoints().toArray();
        int[] previous = new int[y.length + 1];
        int[] current = new int[y.length + 1];
        for (int j = 0; j <= y.length; j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= x.length; i++) {
            current[0] = i;
            for (int j = 1; j <= y.length; j++) {
                int substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[y.length];
    }
}
