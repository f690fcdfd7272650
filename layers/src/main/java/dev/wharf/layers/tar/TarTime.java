package dev.wharf.layers.tar;

/**
 * A time of a tar header as Go's {@code archive/tar} holds it ({@code time.Time}): whole seconds since 1970 and the
 * nanoseconds within that second, normalised ({@code 0 <= nanos < 1e9}, so -1.5 s is -2 s and 5e8 ns). Only a PAX
 * record carries nanoseconds; a header field's time has none.
 *
 * <p>An immutable value, thread-safe.
 *
 * @param seconds whole seconds, floored
 * @param nanos nanoseconds after {@code seconds}
 */
public record TarTime(long seconds, int nanos) implements Comparable<TarTime> {
    private static final int NANOS_PER_SECOND = 1_000_000_000;

    /** Validates. */
    public TarTime {
        if (nanos < 0 || nanos >= NANOS_PER_SECOND) {
            throw new IllegalArgumentException("nanoseconds out of range: " + nanos);
        }
    }

    /** The time of {@code seconds} whole seconds. */
    public static TarTime ofSeconds(long seconds) {
        return new TarTime(seconds, 0);
    }

    /**
     * Parses a PAX time record ({@code mtime}, {@code atime}, {@code ctime}) as Go's {@code parsePAXTime}: decimal
     * seconds, optionally a dot and up to nine digits of fraction (more are cut, fewer padded); a negative value's
     * fraction counts away from zero.
     *
     * @throws NumberFormatException if the value is not such a number
     */
    public static TarTime parsePax(String value) {
        int dot = value.indexOf('.');
        String whole = dot < 0 ? value : value.substring(0, dot);
        long seconds = Long.parseLong(whole);
        if (dot < 0) {
            return ofSeconds(seconds);
        }
        String fraction = value.substring(dot + 1);
        if (!fraction.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException("not a PAX time: " + value);
        }
        if (fraction.isEmpty()) {
            return ofSeconds(seconds);
        }
        String nine = fraction.length() >= 9 ? fraction.substring(0, 9) : fraction + "0".repeat(9 - fraction.length());
        long nanos = Long.parseLong(nine);
        if (whole.startsWith("-")) {
            nanos = -nanos;
        }
        // time.Unix(seconds, nanos) normalises a negative nanosecond part into the second before.
        long floor = seconds + Math.floorDiv(nanos, NANOS_PER_SECOND);
        return new TarTime(floor, (int) Math.floorMod(nanos, NANOS_PER_SECOND));
    }

    /**
     * This time as Go's {@code formatPAXTime} writes a PAX record: the seconds alone when there is no fraction, else
     * with up to nine fraction digits and no trailing zeros, a negative time's fraction counting away from zero.
     */
    public String formatPax() {
        if (nanos == 0) {
            return Long.toString(seconds);
        }
        long secs = seconds;
        long frac = nanos;
        String sign = "";
        if (secs < 0) {
            sign = "-";
            secs = -(secs + 1);
            frac = NANOS_PER_SECOND - frac;
        }
        String digits = String.format("%09d", frac);
        int end = digits.length();
        while (end > 0 && digits.charAt(end - 1) == '0') {
            end--;
        }
        return sign + secs + "." + digits.substring(0, end);
    }

    /** This time rounded to the nearest second, halves up, as Go's {@code Time.Round(time.Second)}. */
    public TarTime roundedToSecond() {
        return ofSeconds(nanos >= NANOS_PER_SECOND / 2 ? seconds + 1 : seconds);
    }

    /** Whether this time is later than {@code other} ({@code Time.After}). */
    public boolean isAfter(TarTime other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(TarTime other) {
        int c = Long.compare(seconds, other.seconds);
        return c != 0 ? c : Integer.compare(nanos, other.nanos);
    }
}
