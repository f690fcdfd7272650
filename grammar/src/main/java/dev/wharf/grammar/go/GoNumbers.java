package dev.wharf.grammar.go;

import dev.wharf.grammar.DockerfileException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The number parsers BuildKit's instruction layer calls: Go's {@code strconv.ParseBool},
 * {@code strconv.ParseUint}, {@code strconv.ParseInt(s, 10, 32)} and go-units' {@code RAMInBytes}.
 *
 * <p>Stateless and thread-safe. Errors carry no source location: the caller knows where the text came from.
 */
public final class GoNumbers {

    private static final Pattern DECIMAL_FLOAT =
            Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
    private static final Pattern HEX_FLOAT =
            Pattern.compile("[+-]?0[xX](?:[0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)[pP][+-]?[0-9]+");

    private GoNumbers() {
    }

    /** {@code strconv.ParseBool}: empty when the text is none of 1 t T TRUE true True 0 f F FALSE false False. */
    public static Optional<Boolean> parseBool(String s) {
        return switch (s) {
            case "1", "t", "T", "TRUE", "true", "True" -> Optional.of(true);
            case "0", "f", "F", "FALSE", "false", "False" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    /** {@code strconv.ParseUint(s, base, 32)} for base 8 or 10: empty on any error. */
    public static OptionalLong parseUint32(String s, int base) {
        if (s.isEmpty()) {
            return OptionalLong.empty();
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            int digit = Character.digit(s.charAt(i), base);
            if (digit < 0 || s.charAt(i) > 0x7F) {
                return OptionalLong.empty();
            }
            n = n * base + digit;
            if (n > 0xFFFF_FFFFL) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(n);
    }

    /**
     * {@code strconv.ParseInt(s, 10, 32)}; the unlocated error carries Go's text
     * ({@code strconv.ParseInt: parsing "x": invalid syntax} or {@code ...: value out of range}).
     */
    public static int parseInt32(String s) throws DockerfileException {
        String digits = s;
        boolean negative = false;
        if (!digits.isEmpty() && (digits.charAt(0) == '+' || digits.charAt(0) == '-')) {
            negative = digits.charAt(0) == '-';
            digits = digits.substring(1);
        }
        if (digits.isEmpty()) {
            throw numError(s, "invalid syntax");
        }
        long n = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw numError(s, "invalid syntax");
            }
            n = n * 10 + (c - '0');
            // Go's ParseUint(…, 32) stops at the first digit that leaves the uint32 range.
            if (n > 0xFFFF_FFFFL) {
                throw numError(s, "value out of range");
            }
        }
        if (!negative && n > Integer.MAX_VALUE || negative && n > -(long) Integer.MIN_VALUE) {
            throw numError(s, "value out of range");
        }
        return (int) (negative ? -n : n);
    }

    private static DockerfileException numError(String s, String what) {
        return new DockerfileException(null, null, "strconv.ParseInt: parsing " + GoQuote.quote(s) + ": " + what);
    }

    /**
     * go-units {@code RAMInBytes}: a number with an optional binary suffix ({@code k m g t p}, optionally
     * followed by {@code b} or {@code ib}, case-insensitive; a lone {@code b} means bytes). Empty on error.
     */
    public static OptionalLong ramInBytes(String size) {
        int sep = lastIndexOfAny(size, "01234567890. ");
        if (sep == -1) {
            return OptionalLong.empty();
        }
        String number;
        String suffix = size.substring(sep + 1);
        number = size.charAt(sep) != ' ' ? size.substring(0, sep + 1) : size.substring(0, sep);
        double value;
        if (DECIMAL_FLOAT.matcher(number).matches() || HEX_FLOAT.matcher(number).matches()) {
            value = Double.parseDouble(number);
        } else {
            return OptionalLong.empty();
        }
        if (Double.isInfinite(value) || value < 0) {
            return OptionalLong.empty();
        }
        if (suffix.isEmpty()) {
            return OptionalLong.of((long) value);
        }
        if (suffix.length() > 3) {
            return OptionalLong.empty();
        }
        suffix = suffix.toLowerCase(java.util.Locale.ROOT);
        if (suffix.charAt(0) == 'b') {
            return suffix.length() > 1 ? OptionalLong.empty() : OptionalLong.of((long) value);
        }
        int power = "kmgtp".indexOf(suffix.charAt(0));
        if (power < 0) {
            return OptionalLong.empty();
        }
        value *= Math.pow(1024, power + 1);
        if (suffix.length() == 2 && suffix.charAt(1) != 'b' || suffix.length() == 3 && !suffix.endsWith("ib")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of((long) value);
    }

    private static int lastIndexOfAny(String s, String chars) {
        for (int i = s.length() - 1; i >= 0; i--) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
