package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.CliHarness.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharf build --memory --cpus --pids-limit} end to end: a RUN over its memory fails as out of memory, a fork
 * bomb ends at the pids limit, limits within bounds let the build pass, bad values are usage errors.
 */
class ResourceLimitsBuildTest {
    @TempDir
    Path dir;
    Path root;

    @BeforeEach
    void store() throws Exception {
        root = dir.resolve("store");
        CliHarness.importBusybox(dir, root);
    }

    private Outcome build(String dockerfile, String... flags) throws Exception {
        Path context = Files.createDirectories(dir.resolve("ctx-" + Integer.toHexString(dockerfile.hashCode())));
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        String[] args = new String[flags.length + 4];
        args[0] = "build";
        args[1] = "--root";
        args[2] = root.toString();
        System.arraycopy(flags, 0, args, 3, flags.length);
        args[args.length - 1] = context.toString();
        return wharf(args);
    }

    @Test
    void runOverItsMemory_failsAsOutOfMemory_namingTheLimit() throws Exception {
        Outcome hog = build("FROM busybox:latest\nRUN x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo ${#x}\n",
                "--memory", "24m", "--runtime", "builtin");
        assertEquals(1, hog.exitCode(), hog.err());
        assertTrue(hog.err().contains("ran out of memory: the kernel killed it at the memory limit of 24 MiB"),
                hog.err());
        Outcome fits = build("FROM busybox:latest\nRUN echo fits > /f\n", "--memory", "64m", "--cpus", "0.5",
                "--pids-limit", "64");
        assertEquals(0, fits.exitCode(), fits.err());
    }

    @Test
    void buildxResourceFlag_setsTheSameLimits_andRefusesWhatWharfCannotLimit() throws Exception {
        // buildx build/utils.go ParseResourceLimits: --resource memory=..., cpu-quota=..., cpu-period=...
        Outcome hog = build("FROM busybox:latest\nRUN x=$(head -c 100000000 /dev/zero | tr '\\0' b); echo ${#x}\n",
                "--resource", "memory=24m", "--resource", "cpu-quota=50000", "--runtime", "builtin");
        assertEquals(1, hog.exitCode(), hog.err());
        assertTrue(hog.err().contains("at the memory limit of 24 MiB"), hog.err());
        Outcome shares = build("FROM busybox:latest\n", "--resource", "cpu-shares=512");
        assertEquals(2, shares.exitCode(), shares.err());
        assertTrue(shares.err().contains("not cpu-shares"), shares.err());
        Outcome unknown = build("FROM busybox:latest\n", "--resource", "gpu=1");
        assertEquals(2, unknown.exitCode(), unknown.err());
        assertTrue(unknown.err().contains("unknown resource \"gpu\""), unknown.err());
    }

    @Test
    void forkBomb_endsAtThePidsLimit_withAnError() throws Exception {
        Outcome bomb = build("FROM busybox:latest\n"
                + "RUN set -e; i=0; while [ $i -lt 2000 ]; do sleep 30 & i=$((i+1)); done\n", "--pids-limit", "16");
        assertEquals(1, bomb.exitCode(), bomb.err());
        assertTrue(bomb.err().contains("reached the pids limit of 16 processes"), bomb.err());
    }

    @Test
    void badLimits_areUsageErrors() throws Exception {
        assertEquals(2, build("FROM busybox:latest\n", "--memory", "1k").exitCode());
        assertEquals(2, build("FROM busybox:latest\n", "--memory", "lots").exitCode());
        assertEquals(2, build("FROM busybox:latest\n", "--cpus", "0").exitCode());
        assertEquals(2, build("FROM busybox:latest\n", "--pids-limit", "0").exitCode());
    }

    @Test
    void infiniteCpus_isAUsageError_notAFailedRun() throws Exception {
        // picocli's Double reads "Infinity"; docker's --cpus (a rational number) refuses it. It used to pass and
        // fail the first RUN with "cannot set up the cgroup of RUN's resource limits ...: Invalid argument".
        Outcome infinite = build("FROM busybox:latest\nRUN true\n", "--cpus", "Infinity");
        assertEquals(2, infinite.exitCode(), infinite.err());
        assertTrue(infinite.err().contains("cpus must be"), infinite.err());
    }

    @Test
    void cpusBelowTheCgroupsSmallestQuota_isAUsageError_asDockerRefusesIt() throws Exception {
        // CFS's smallest quota is 1 ms per 100 ms: 1e-9 CPUs used to be silently raised to 0.01.
        Outcome tiny = build("FROM busybox:latest\nRUN true\n", "--cpus", "1e-9");
        assertEquals(2, tiny.exitCode(), tiny.err());
        assertTrue(tiny.err().contains("Range of CPUs is from 0.01"), tiny.err());
        assertEquals(0, build("FROM busybox:latest\nRUN true\n", "--cpus", "0.01").exitCode());
    }
}
