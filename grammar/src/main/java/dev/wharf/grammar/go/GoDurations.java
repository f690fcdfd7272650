package dev.wharf.grammar.go;

import dev.wharf.grammar.DockerfileException;
import java.time.Duration;
import java.util.Map;

/**
 * Go's {@code time.ParseDuration}, which BuildKit uses for the HEALTHCHECK interval flags: a signed sequence of
 * decimal numbers with optional fraction and a unit each ({@code 300ms}, {@code -1.5h}, {@code 2h45m});
 * units {@code ns us µs μs ms s m h}; a bare {@code 0} is allowed. Error texts are Go's.
 *
 * <p>Stateless and thread-safe. Errors carry no source location: the caller knows where the text came from.
 */
public final class GoDurations {

    private static final Map<String, Long> UNITS = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "\u00b5s", 1_000L, // U+00B5 micro sign
            "\u03bcs", 1_000L, // U+03BC Greek mu
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);

    /** 1<<63 as an unsigned value. */
    private static final long TWO_63 = Long.MIN_VALUE;

    private GoDurations() {
    }

    /** Parses {@code text}; throws an unlocated error with Go's message. */
    public static Duration parse(String text) throws DockerfileException {
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(text);
        }
        long total = 0; // unsigned
        while (!s.isEmpty()) {
            char c = s.charAt(0);
            if (c != '.' && !isDigit(c)) {
                throw invalid(text);
            }
            // the integer part
            int i = 0;
            long v = 0;
            while (i < s.length() && isDigit(s.charAt(i))) {
                if (Long.compareUnsigned(v, Long.divideUnsigned(TWO_63, 10)) > 0) {
                    throw invalid(text);
                }
                v = v * 10 + (s.charAt(i) - '0');
                if (Long.compareUnsigned(v, TWO_63) > 0) {
                    throw invalid(text);
                }
                i++;
            }
            boolean pre = i > 0;
            s = s.substring(i);
            // the fraction
            long f = 0;
            double scale = 1;
            boolean post = false;
            if (!s.isEmpty() && s.charAt(0) == '.') {
                s = s.substring(1);
                int j = 0;
                boolean overflow = false;
                while (j < s.length() && isDigit(s.charAt(j))) {
                    if (!overflow) {
                        if (Long.compareUnsigned(f, Long.MAX_VALUE / 10) > 0) {
                            overflow = true;
                        } else {
                            long y = f * 10 + (s.charAt(j) - '0');
                            if (Long.compareUnsigned(y, TWO_63) > 0) {
                                overflow = true;
                            } else {
                                f = y;
                                scale *= 10;
                            }
                        }
                    }
                    j++;
                }
                post = j > 0;
                s = s.substring(j);
            }
            if (!pre && !post) {
                throw invalid(text);
            }
            int u = 0;
            while (u < s.length() && s.charAt(u) != '.' && !isDigit(s.charAt(u))) {
                u++;
            }
            if (u == 0) {
                throw unlocated("time: missing unit in duration " + timeQuote(text));
            }
            String unitName = s.substring(0, u);
            s = s.substring(u);
            Long unit = UNITS.get(unitName);
            if (unit == null) {
                throw unlocated(
                        "time: unknown unit " + timeQuote(unitName) + " in duration " + timeQuote(text));
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(TWO_63, unit)) > 0) {
                throw invalid(text);
            }
            v *= unit;
            if (f != 0) {
                // f may be 2^63 (negative as a signed long): convert it as unsigned
                double fraction = f < 0 ? 0x1p63 : (double) f;
                v += (long) (fraction * ((double) unit / scale));
                if (Long.compareUnsigned(v, TWO_63) > 0) {
                    throw invalid(text);
                }
            }
            total += v;
            if (Long.compareUnsigned(total, TWO_63) > 0) {
                throw invalid(text);
            }
        }
        if (negative) {
            return Duration.ofNanos(-total);
        }
        if (Long.compareUnsigned(total, Long.MAX_VALUE) > 0) {
            throw invalid(text);
        }
        return Duration.ofNanos(total);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static DockerfileException invalid(String text) {
        return unlocated("time: invalid duration " + timeQuote(text));
    }

    /** The {@code quote} of Go's time package: non-ASCII and control bytes as {@code \xHH}. */
    public static String timeQuote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 0x80 || cp < ' ') {
                for (byte b : new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    out.append(String.format("\\x%02x", b & 0xFF));
                }
            } else {
                if (cp == '"' || cp == '\\') {
                    out.append('\\');
                }
                out.append((char) cp);
            }
        }
        return out.append('"').toString();
    }

    /** An error without a source location; the caller attaches the position of the flag it came from. */
    private static DockerfileException unlocated(String reason) {
        return new DockerfileException(null, null, reason);
    }
}
