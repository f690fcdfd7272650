package dev.wharf.builder.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The host's hard resource limits, which no sandboxed process may exceed (the kernel refuses to raise a hard limit
 * without {@code CAP_SYS_RESOURCE}, and runc then fails to start). Immutable and thread-safe.
 *
 * @param hard hard limit per lower-case resource name ({@code nofile}, {@code nproc}, ...); a missing name is unlimited
 */
public record HostLimits(Map<String, Long> hard) {
    private static final Map<String, String> PROC_NAMES = Map.ofEntries(
            Map.entry("Max cpu time", "cpu"), Map.entry("Max file size", "fsize"),
            Map.entry("Max data size", "data"), Map.entry("Max stack size", "stack"),
            Map.entry("Max core file size", "core"), Map.entry("Max resident set", "rss"),
            Map.entry("Max processes", "nproc"), Map.entry("Max open files", "nofile"),
            Map.entry("Max locked memory", "memlock"), Map.entry("Max address space", "as"),
            Map.entry("Max file locks", "locks"), Map.entry("Max pending signals", "sigpending"),
            Map.entry("Max msgqueue size", "msgqueue"), Map.entry("Max nice priority", "nice"),
            Map.entry("Max realtime priority", "rtprio"), Map.entry("Max realtime timeout", "rttime"));

    public HostLimits {
        hard = Map.copyOf(hard);
    }

    /** No limits known (everything unlimited). */
    public static HostLimits unlimited() {
        return new HostLimits(Map.of());
    }

    /** Reads this process's limits from {@code /proc/self/limits}. */
    public static HostLimits current() throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/self/limits")));
    }

    /** Parses the text of {@code /proc/<pid>/limits}. */
    static HostLimits parse(List<String> lines) {
        Map<String, Long> hard = new HashMap<>();
        for (String line : lines) {
            for (Map.Entry<String, String> e : PROC_NAMES.entrySet()) {
                if (line.startsWith(e.getKey() + " ")) {
                    String[] cols = line.substring(e.getKey().length()).trim().split("\\s+");
                    if (cols.length >= 2 && !cols[1].equals("unlimited")) {
                        hard.put(e.getValue(), Long.parseLong(cols[1]));
                    }
                }
            }
        }
        return new HostLimits(hard);
    }

    /** The hard limit for a resource, or empty when unlimited. */
    public OptionalLong hardLimit(String name) {
        Long v = hard.get(name.toLowerCase(Locale.ROOT));
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** The limit with soft and hard lowered to this host's hard limit. */
    public Ulimit cap(Ulimit limit) {
        OptionalLong max = hardLimit(limit.name());
        if (max.isEmpty()) {
            return limit;
        }
        long m = max.getAsLong();
        return new Ulimit(limit.name(), Math.min(limit.soft(), m), Math.min(limit.hard(), m));
    }
}
