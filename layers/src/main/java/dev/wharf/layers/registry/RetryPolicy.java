package dev.wharf.layers.registry;

import java.time.Duration;

/**
 * How often and how patiently the client retries a registry call that failed transiently: a connection error, or
 * an answer of 408, 429 or 5xx.
 *
 * <p>An immutable record, thread-safe. The wait before attempt {@code n + 1} is {@code initialBackoff * 2^(n-1)},
 * capped at {@code maxBackoff}; a {@code Retry-After} header of a 429 or 503 answer is honoured up to that cap.
 *
 * @param maxAttempts attempts in total, at least 1 (1 means no retry)
 * @param initialBackoff the wait before the first retry
 * @param maxBackoff the longest wait between attempts
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    /** Validates. */
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative");
        }
    }

    /**
     * Four attempts, waiting 1 s, 2 s and 4 s in between (7 s in all): BuildKit's retry handler around blob fetches
     * and pushes (it doubles from 1 s and gives up once the wait would reach 8 s). A Retry-After is honoured up to
     * 10 s.
     */
    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    /** Returns the wait after failed attempt {@code attempt} (1-based). */
    public Duration backoff(int attempt) {
        long millis = initialBackoff.toMillis();
        for (int i = 1; i < attempt && millis < maxBackoff.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    /** Tells whether an HTTP status is worth retrying: 408, 429 and every 5xx except 501 and 505. */
    public static boolean isRetryableStatus(int status) {
        return status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
    }
}
