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
        // Errors of the build, as buildx prints what its build returns (exit 1).
        assertEquals(1, shares.exitCode(), shares.err());
        assertTrue(shares.err().contains("not cpu-shares"), shares.err());
        Outcome unknown = build("FROM busybox:latest\n", "--resource", "gpu=1");
        assertEquals(1, unknown.exitCode(), unknown.err());
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
    void limits_takeDockersSpellings_andZeroIsNoLimit() throws Exception {
        // As docker's flags (docker run, and docker build's classic builder): a malformed value is pflag's error
        // (exit 125), one out of dockerd's range an error of the build (exit 1), 0 no limit.
        Outcome small = build("FROM busybox:latest\n", "--memory", "1k");
        assertEquals(1, small.exitCode(), small.err());
        assertEquals("ERROR: Minimum memory limit allowed is 6MB\n", small.err());
        Outcome lots = build("FROM busybox:latest\n", "--memory", "lots");
        assertEquals(125, lots.exitCode(), lots.err());
        assertEquals("invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots'\n"
                + "See 'wharf build --help'.\n", lots.err());
        for (String[] none : new String[][] {{"--memory", "0"}, {"--cpus", "0"}, {"--pids-limit", "0"},
                {"--pids-limit", "-1"}, {"--shm-size", "0"}}) {
            Outcome unlimited = build("FROM busybox:latest\nRUN true\n", none);
            assertEquals(0, unlimited.exitCode(), String.join(" ", none) + ": " + unlimited.err());
        }
    }

    @Test
    void cpus_isARationalNumber_asDockersFlag() throws Exception {
        // picocli's Double read "Infinity"; docker's --cpus (a big.Rat) refuses it and takes 1/2.
        Outcome infinite = build("FROM busybox:latest\nRUN true\n", "--cpus", "Infinity");
        assertEquals(125, infinite.exitCode(), infinite.err());
        assertEquals("invalid argument \"Infinity\" for \"--cpus\" flag: failed to parse Infinity as a rational "
                + "number\nSee 'wharf build --help'.\n", infinite.err());
        Outcome precise = build("FROM busybox:latest\nRUN true\n", "--cpus", "0.0000000001");
        assertEquals(125, precise.exitCode(), precise.err());
        assertTrue(precise.err().contains("flag: value is too precise"), precise.err());
        assertEquals(0, build("FROM busybox:latest\nRUN true\n", "--cpus", "1/2").exitCode());
    }

    @Test
    void cpusOutOfRange_isDockerdsError() throws Exception {
        // CFS's smallest quota is 1 ms per 100 ms: 1e-9 CPUs used to be silently raised to 0.01; dockerd refuses
        // fewer than 0.01 and more than the host has, in these words.
        int cpus = Runtime.getRuntime().availableProcessors();
        String range = "ERROR: Range of CPUs is from 0.01 to " + cpus + ".00, as there are only " + cpus
                + " CPUs available\n";
        for (String value : new String[] {"1e-9", "-1", String.valueOf(cpus + 1)}) {
            Outcome refused = build("FROM busybox:latest\nRUN true\n", "--cpus", value);
            assertEquals(1, refused.exitCode(), refused.err());
            assertEquals(range, refused.err());
        }
        assertEquals(0, build("FROM busybox:latest\nRUN true\n", "--cpus", "0.01").exitCode());
    }
}
