package dev.wharf.cli;

import dev.wharf.builder.sandbox.ResourceLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * The cgroup limits of {@code wharf build}'s RUN steps from its flags, read as buildx's
 * {@code ParseResourceLimits} (build/utils.go) reads them: the legacy flags first, then {@code --resource}
 * entries, a later value of a key winning. Stateless.
 */
final class ResourceFlags {
    private ResourceFlags() {
    }

    /**
     * The limits of {@code --memory}, {@code --cpus}, {@code --pids-limit} and buildx's {@code --resource} (with
     * its hidden {@code --cpu-quota} and {@code --cpu-period}); each argument null or empty when not given.
     *
     * @throws IllegalArgumentException naming the flag, for a malformed or unsupported value
     */
    static ResourceLimits parse(String memory, String cpuFlag, Long pidsLimit, List<String> resources,
                                List<String> cpuQuota, List<String> cpuPeriod) {
        // buildx build/utils.go ParseResourceLimits; the legacy flags come first (commands/build.go).
        List<String> entries = new ArrayList<>();
        for (String value : cpuQuota) {
            entries.add("cpu-quota=" + value);
        }
        for (String value : cpuPeriod) {
            entries.add("cpu-period=" + value);
        }
        entries.addAll(resources);
        Double cpus = null;
        if (cpuFlag != null) {
            cpus = cpus(FlagValueCheck.nanoCpus(cpuFlag));
        }
        Long quota = null;
        long period = 100_000;
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("--resource: invalid resource \"" + entry
                        + "\", expected key=value");
            }
            String key = entry.substring(0, eq).strip();
            String value = entry.substring(eq + 1).strip();
            switch (key) {
                case "memory" -> memory = value;
                case "cpu-quota", "cpu-period" -> {
                    long n;
                    try {
                        n = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--resource: invalid value \"" + value
                                + "\" for resource " + key, e);
                    }
                    if (key.equals("cpu-quota")) {
                        quota = n;
                    } else if (n > 0) {
                        period = n;
                    }
                }
                case "memory-swap", "cpu-shares", "cpuset-cpus", "cpuset-mems" -> throw new IllegalArgumentException(
                        "--resource " + key + ": wharf limits memory (swap included) and CPU time (memory, "
                                + "cpu-quota, cpu-period), not " + key);
                default -> throw new IllegalArgumentException("--resource: unknown resource \"" + key + "\"");
            }
        }
        if (quota != null && quota > 0) {
            cpus = (double) quota / period;
        }
        ResourceLimits limits = ResourceLimits.none();
        if (memory != null) {
            long bytes;
            try {
                bytes = FlagValueCheck.bytes(memory);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--resource memory: " + e.getMessage(), e);
            }
            // As docker's: 0 is no limit, and dockerd refuses less than 6 MiB in these words.
            if (bytes > 0 && bytes < ResourceLimits.MIN_MEMORY) {
                throw new IllegalArgumentException("Minimum memory limit allowed is 6MB");
            }
            if (bytes > 0) {
                limits = limits.withMemory(bytes);
            }
        }
        if (cpus != null) {
            limits = limits.withCpus(cpus);
        }
        // docker's --pids-limit: 0 and negative values are no limit.
        if (pidsLimit != null && pidsLimit > 0) {
            limits = limits.withPids(pidsLimit);
        }
        return limits;
    }

    /**
     * docker's --cpus in CPUs: 0 is no limit; dockerd refuses what is below 0.01 CPUs or above the host's CPUs in
     * these words (daemon_unix.go, verifyPlatformContainerResources).
     */
    private static Double cpus(long nanoCpus) {
        if (nanoCpus == 0) {
            return null;
        }
        int available = Runtime.getRuntime().availableProcessors();
        if (nanoCpus < 10_000_000L || nanoCpus > available * 1_000_000_000L) {
            throw new IllegalArgumentException("Range of CPUs is from 0.01 to " + available + ".00, as there are only "
                    + available + " CPUs available");
        }
        return nanoCpus / 1e9;
    }
}
