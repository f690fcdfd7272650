package dev.wharf.cli;

import dev.wharf.builder.sandbox.ResourceLimits;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Byte counts as the docker CLI writes and reads them ({@code github.com/docker/go-units}): {@link #human} is
 * {@code HumanSize} (decimal units, four significant digits: {@code 0B}, {@code 1.5kB}, {@code 12.35MB}) and
 * {@link #parse} is {@code RAMInBytes} (binary units: {@code 512m} is 512 MiB), which {@code --keep-storage} uses.
 *
 * <p>Stateless and thread-safe.
 */
final class ByteSizes {
    private static final String[] DECIMAL_UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};

    private ByteSizes() {
    }

    /** {@code bytes} in decimal units with at most four significant digits, e.g. {@code 1.235MB}. */
    static String human(long bytes) {
        return decimal(bytes, (size, unit) ->
                new BigDecimal(size).round(new MathContext(4)).stripTrailingZeros().toPlainString() + unit);
    }

    /**
     * {@code bytes} in decimal units with two decimals, e.g. {@code 3.40MB} (whole bytes below 1kB, {@code 527B}):
     * BuildKit's plain progress
     * ({@code progressui}'s {@code %.2f} of a go-units {@code Bytes}).
     */
    static String buildKit(long bytes) {
        // tonistiigi/units prints whole bytes without a fraction ("%.2f" of 123 bytes is "123B"), and the rest with
        // big.Float's Format: the float's exact binary value rounded to nearest, half to even, where
        // String.format rounds its shortest decimal form half up (40.305 kB could differ in the last digit).
        return decimal(bytes, (size, unit) -> unit.equals("B") ? bytes + unit
                : new BigDecimal(size).setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString() + unit);
    }

    /** Scales {@code bytes} down by 1000 until below 1000 (go-units' decimal steps) and formats size and unit. */
    private static String decimal(long bytes, java.util.function.BiFunction<Double, String, String> format) {
        double size = bytes;
        int unit = 0;
        while (size >= 1000 && unit < DECIMAL_UNITS.length - 1) {
            size /= 1000;
            unit++;
        }
        return format.apply(size, DECIMAL_UNITS[unit]);
    }

    /**
     * Parses a size such as {@code 10GB}, {@code 512m} or {@code 1048576}; every unit is binary (k = 1024).
     *
     * @throws IllegalArgumentException if the text is not a size (the message says what is expected)
     */
    static long parse(String text) {
        return ResourceLimits.parseSize(text);
    }
}
