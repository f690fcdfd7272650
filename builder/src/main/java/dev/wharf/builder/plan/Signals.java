package dev.wharf.builder.plan;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Validates STOPSIGNAL values like moby's {@code signal.ParseSignal} on Linux: a signal number, or a name with or
 * without the {@code SIG} prefix, in any case ({@code SIGRTMIN+3} too).
 *
 * <p>Stateless and thread-safe.
 */
final class Signals {

    private static final Map<String, Integer> LINUX = Map.ofEntries(
            Map.entry("ABRT", 6), Map.entry("ALRM", 14), Map.entry("BUS", 7), Map.entry("CHLD", 17),
            Map.entry("CLD", 17), Map.entry("CONT", 18), Map.entry("FPE", 8), Map.entry("HUP", 1),
            Map.entry("ILL", 4), Map.entry("INT", 2), Map.entry("IO", 29), Map.entry("IOT", 6),
            Map.entry("KILL", 9), Map.entry("PIPE", 13), Map.entry("POLL", 29), Map.entry("PROF", 27),
            Map.entry("PWR", 30), Map.entry("QUIT", 3), Map.entry("SEGV", 11), Map.entry("STKFLT", 16),
            Map.entry("STOP", 19), Map.entry("SYS", 31), Map.entry("TERM", 15), Map.entry("TRAP", 5),
            Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23),
            Map.entry("USR1", 10), Map.entry("USR2", 12), Map.entry("VTALRM", 26), Map.entry("WINCH", 28),
            Map.entry("XCPU", 24), Map.entry("XFSZ", 25));

    private Signals() {
    }

    /**
     * The signal number {@code raw} names, or empty when moby/sys/signal's ParseSignal would reject it
     * ("invalid signal: ...").
     */
    static Optional<Integer> parse(String raw) {
        Optional<Long> number = GoAtoi.parse(raw);
        if (number.isPresent()) {
            // moby rejects only 0; any other number is passed on as is.
            long n = number.get();
            return n == 0 ? Optional.empty() : Optional.of((int) n);
        }
        String name = raw.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        Integer known = LINUX.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        if (name.equals("RTMIN")) {
            return Optional.of(34);
        }
        if (name.equals("RTMAX")) {
            return Optional.of(64);
        }
        if (name.startsWith("RTMIN+") || name.startsWith("RTMAX-")) {
            Optional<Long> offset = GoAtoi.parse(name.substring(6));
            if (offset.isPresent() && offset.get() >= 0 && offset.get() <= 30) {
                int n = name.startsWith("RTMIN+") ? 34 + offset.get().intValue() : 64 - offset.get().intValue();
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }
}
