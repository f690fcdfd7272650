package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UlimitParseTest {
    @Test
    void softAndHard_orOneValueForBoth_asDockersUlimitFlag() {
        assertEquals(new Ulimit("nofile", 1024, 2048), Ulimit.parse("nofile=1024:2048"));
        assertEquals(new Ulimit("nproc", 64, 64), Ulimit.parse("nproc=64"));
    }

    @Test
    void minusOne_isUnlimited_andPrintsBackAsMinusOne() {
        Ulimit core = Ulimit.parse("core=-1");
        assertEquals(Long.MAX_VALUE, core.hard());
        assertEquals("core=-1:-1", core.toString());
        assertEquals("nofile=10:20", Ulimit.parse("nofile=10:20").toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // What docker buildx build --ulimit printed after 'invalid argument "..." for "--ulimit" flag: '.
        "nofile|invalid ulimit argument: nofile",
        "files=10|invalid ulimit type: files",
        // go-units' names are lower case: buildx 0.13.1 refuses NPROC.
        "NPROC=64|invalid ulimit type: NPROC",
        "=10|'invalid ulimit type: '",
        "nofile=|strconv.ParseInt: parsing \"\": invalid syntax",
        "nofile=ten|strconv.ParseInt: parsing \"ten\": invalid syntax",
        "nofile=1:x|strconv.ParseInt: parsing \"x\": invalid syntax",
        "nofile=1:2:3|too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`",
        "nofile=20:10|ulimit soft limit must be less than or equal to hard limit: 20 > 10",
        "nofile=-5|ulimit nofile: a limit is a number, or -1 for unlimited, not -5"})
    void malformedValues_areRejectedInGoUnitsWords(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ulimit.parse(text));
        assertEquals(message, e.getMessage());
    }
}
