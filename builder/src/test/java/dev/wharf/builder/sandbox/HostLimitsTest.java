package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HostLimitsTest {
    @Test
    void procLimits_parseHardLimits() {
        HostLimits limits = HostLimits.parse(List.of(
                "Limit                     Soft Limit           Hard Limit           Units     ",
                "Max cpu time              unlimited            unlimited            seconds   ",
                "Max processes             63412                63412                processes ",
                "Max open files            1024                 20000                files     "));
        assertEquals(OptionalLong.of(20000), limits.hardLimit("nofile"));
        assertEquals(OptionalLong.of(63412), limits.hardLimit("NPROC"));
        assertEquals(OptionalLong.empty(), limits.hardLimit("cpu"));
        assertEquals(new Ulimit("nofile", 20000, 20000), limits.cap(new Ulimit("nofile", 65536, 65536)));
        assertEquals(new Ulimit("cpu", 5, 10), limits.cap(new Ulimit("cpu", 5, 10)));
    }

    @Test
    void thisHost_hasAHardNofileLimit() throws Exception {
        assertTrue(HostLimits.current().hardLimit("nofile").isPresent());
    }
}
