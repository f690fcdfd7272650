package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UlimitParseTest {
    @Test
    void softAndHard_orOneValueForBoth_asDockersUlimitFlag() {
        assertEquals(new Ulimit("nofile", 1024, 2048), Ulimit.parse("nofile=1024:2048"));
        assertEquals(new Ulimit("nproc", 64, 64), Ulimit.parse("NPROC=64"));
    }

    @Test
    void minusOne_isUnlimited_andPrintsBackAsMinusOne() {
        Ulimit core = Ulimit.parse("core=-1");
        assertEquals(Long.MAX_VALUE, core.hard());
        assertEquals("core=-1:-1", core.toString());
        assertEquals("nofile=10:20", Ulimit.parse("nofile=10:20").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nofile", "nofile=", "=10", "files=10", "nofile=ten", "nofile=1:2:3", "nofile=20:10",
            "nofile=-5"})
    void malformedValues_areRejectedSayingWhatIsExpected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ulimit.parse(text));
        assertTrue(e.getMessage().contains("--ulimit"), e.getMessage());
    }
}
