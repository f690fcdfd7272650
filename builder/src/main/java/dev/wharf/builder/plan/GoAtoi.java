package dev.wharf.builder.plan;

import java.util.Optional;

/**
 * Go's {@code strconv.Atoi} on 64-bit platforms: an optional sign and decimal digits, within the range of a
 * long. BuildKit uses it to tell {@code --from=1} (a stage index) from {@code --from=name}.
 *
 * <p>Stateless and thread-safe.
 */
final class GoAtoi {

    private GoAtoi() {
    }

    /** The number {@code s} spells, or empty when Atoi would fail. */
    static Optional<Long> parse(String s) {
        int start = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
        if (start == s.length()) {
            return Optional.empty();
        }
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(Long.parseLong(s.charAt(0) == '+' ? s.substring(1) : s));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
