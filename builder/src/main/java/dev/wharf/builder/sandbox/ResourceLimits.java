package dev.wharf.builder.sandbox;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * cgroup limits for a sandboxed process, as {@code docker build --memory --cpus --pids-limit} give them: memory in
 * bytes (swap included, so a step cannot dodge the limit by swapping), CPUs as a fraction of CPU time, and the
 * number of processes and threads. An immutable record, thread-safe.
 *
 * @param memoryBytes the memory limit, or empty for none
 * @param cpus how many CPUs' worth of time the step may use (e.g. 0.5, 2), or empty for no limit
 * @param pids the most processes and threads at once, or empty for no limit
 */
public record ResourceLimits(OptionalLong memoryBytes, OptionalDouble cpus, OptionalLong pids) {
    /** The CFS period the CPU quota is measured against, as Docker uses: 100 ms. */
    public static final long CPU_PERIOD_MICROS = 100_000;
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp])?(?:i?b)?",
            Pattern.CASE_INSENSITIVE);

    /** The smallest memory limit accepted, as Docker's: 6 MiB. */
    public static final long MIN_MEMORY = 6L * 1024 * 1024;

    /** The fewest CPUs accepted, as Docker's: 0.01 (a 1 ms CFS quota per 100 ms period). */
    public static final double MIN_CPUS = 0.01;

    /** Validates: memory at least {@link #MIN_MEMORY}, cpus at least {@link #MIN_CPUS} and finite, pids positive. */
    public ResourceLimits {
        if (memoryBytes.isPresent() && memoryBytes.getAsLong() < MIN_MEMORY) {
            throw new IllegalArgumentException("the memory limit must be at least 6 MiB, not "
                    + memoryBytes.getAsLong() + " bytes");
        }
        // Finite too: an infinite share has no CFS quota (docker's --cpus, a rational number, refuses it).
        if (cpus.isPresent() && !(cpus.getAsDouble() > 0 && cpus.getAsDouble() < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("cpus must be a finite number more than 0, not "
                    + cpus.getAsDouble());
        }
        // At least 0.01: CFS's smallest quota is 1 ms of our 100 ms period, and dockerd refuses fewer
        // (daemon/daemon_unix.go verifyPlatformContainerResources: "Range of CPUs is from 0.01 to ...").
        // Fewer were silently raised to 0.01 by cpuQuotaMicros.
        if (cpus.isPresent() && cpus.getAsDouble() < MIN_CPUS) {
            throw new IllegalArgumentException("Range of CPUs is from 0.01, not " + cpus.getAsDouble()
                    + ": the cgroup's CPU quota cannot be smaller than 1 ms per 100 ms period");
        }
        if (pids.isPresent() && pids.getAsLong() < 1) {
            throw new IllegalArgumentException("the pids limit must be at least 1, not " + pids.getAsLong());
        }
    }

    /** No limits. */
    public static ResourceLimits none() {
        return new ResourceLimits(OptionalLong.empty(), OptionalDouble.empty(), OptionalLong.empty());
    }

    /** Whether no limit is set. */
    public boolean isEmpty() {
        return memoryBytes.isEmpty() && cpus.isEmpty() && pids.isEmpty();
    }

    /** These limits with memory set to {@code bytes}. */
    public ResourceLimits withMemory(long bytes) {
        return new ResourceLimits(OptionalLong.of(bytes), cpus, pids);
    }

    /** These limits with the CPU share set to {@code value}. */
    public ResourceLimits withCpus(double value) {
        return new ResourceLimits(memoryBytes, OptionalDouble.of(value), pids);
    }

    /** These limits with the pids limit set to {@code value}. */
    public ResourceLimits withPids(long value) {
        return new ResourceLimits(memoryBytes, cpus, OptionalLong.of(value));
    }

    /**
     * Parses a size as Docker's {@code RAMInBytes} does ({@code --memory}, {@code --keep-storage}): {@code 512m},
     * {@code 10GB}, {@code 1048576}; every unit is binary (k = 1024).
     *
     * @throws IllegalArgumentException if the text is not a size (the message says what is expected)
     */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size: '" + text + "'; give a number of bytes with an "
                    + "optional unit b, k, m, g, t or p (binary: 1k = 1024), e.g. 10gb");
        }
        BigDecimal value = new BigDecimal(m.group(1));
        if (m.group(2) != null) {
            int power = "kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
            value = value.multiply(BigDecimal.valueOf(1024).pow(power));
        }
        try {
            return value.longValue() < 0 ? Long.MAX_VALUE : value.toBigInteger().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
    }

    /** The CFS quota in microseconds per {@link #CPU_PERIOD_MICROS}, when a CPU limit is set. */
    public OptionalLong cpuQuotaMicros() {
        return cpus.isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(Math.max(1000, Math.round(cpus.getAsDouble() * CPU_PERIOD_MICROS)));
    }
}
