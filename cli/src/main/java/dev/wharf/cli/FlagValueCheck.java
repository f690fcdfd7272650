package dev.wharf.cli;

import dev.wharf.builder.sandbox.Ulimit;
import java.math.BigDecimal;
import java.math.BigInteger;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Refuses, while picocli parses the command line, a value that pflag's flag type would refuse, so that the error
 * is pflag's {@code invalid argument "V" for "--flag" flag: REASON} (exit 125) and comes in pflag's order: before
 * a missing context and before any check of the build (buildx parses {@code --ulimit} and {@code --shm-size} as
 * typed flags, the docker CLI {@code --memory} and {@code --cpus}). The value stays a string; the command reads it
 * again, knowing it is well formed. One instance per kind, no lambdas: the model is built at every start.
 */
final class FlagValueCheck implements ITypeConverter<String> {
    /** What the value must be. */
    enum Kind {
        /** docker's opts.UlimitOpt: {@code NAME=SOFT[:HARD]}. */
        ULIMIT,
        /** docker's opts.MemBytes: go-units' RAMInBytes, not negative. */
        BYTES,
        /** docker's opts.NanoCPUs: a rational number with at most nine decimals. */
        CPUS,
        /** pflag's int64: strconv.ParseInt. */
        INT64
    }

    private final Kind kind;

    FlagValueCheck(Kind kind) {
        this.kind = kind;
    }

    @Override
    public String convert(String value) {
        try {
            switch (kind) {
                case ULIMIT -> Ulimit.parse(value);
                case BYTES -> bytes(value);
                case CPUS -> nanoCpus(value);
                case INT64 -> int64(value);
                default -> throw new AssertionError(kind);
            }
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
        return value;
    }

    /** go-units' RAMInBytes as docker's MemBytes flag reads it; its error alone, without wharf's usage hint. */
    static long bytes(String value) {
        try {
            long bytes = ByteSizes.parse(value);
            if (bytes < 0) {
                throw new IllegalArgumentException("invalid size: '" + value + "'");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage();
            throw new IllegalArgumentException(reason.contains(";") ? reason.substring(0, reason.indexOf(';'))
                    : reason, e);
        }
    }

    /**
     * docker's ParseCPUs (opts.NanoCPUs): Go's big.Rat syntax ({@code 1.5}, {@code 3/2}, {@code 15e-1}) times 10^9,
     * which must be a whole number.
     */
    static long nanoCpus(String value) {
        BigDecimal nano;
        try {
            int slash = value.indexOf('/');
            if (slash >= 0) {
                BigInteger numerator = new BigInteger(value.substring(0, slash));
                BigInteger denominator = new BigInteger(value.substring(slash + 1));
                if (denominator.signum() == 0) {
                    throw new NumberFormatException("zero denominator");
                }
                BigInteger scaled = numerator.multiply(BigInteger.valueOf(1_000_000_000L));
                BigInteger[] quotient = scaled.divideAndRemainder(denominator);
                if (quotient[1].signum() != 0) {
                    throw new IllegalArgumentException("value is too precise");
                }
                nano = new BigDecimal(quotient[0]);
            } else {
                nano = new BigDecimal(value).movePointRight(9);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("failed to parse " + value + " as a rational number", e);
        }
        try {
            return nano.stripTrailingZeros().scale() > 0 ? tooPrecise() : nano.longValueExact();
        } catch (ArithmeticException e) {
            // Go's Int64 of a bigger numerator wraps; such a count is far beyond any host's CPUs either way.
            return Long.MAX_VALUE;
        }
    }

    private static long tooPrecise() {
        throw new IllegalArgumentException("value is too precise");
    }

    /** strconv.ParseInt as pflag's int64 flag calls it, in its error's words. */
    static long int64(String value) {
        if (!value.matches("[+-]?[0-9]+")) {
            throw new IllegalArgumentException("strconv.ParseInt: parsing \"" + value + "\": invalid syntax");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("strconv.ParseInt: parsing \"" + value + "\": value out of range", e);
        }
    }
}
