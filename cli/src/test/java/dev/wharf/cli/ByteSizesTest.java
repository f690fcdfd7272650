package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sizes printed as BuildKit's plain progress prints go-units' {@code %.2f} of a byte count. */
class ByteSizesTest {
    @ParameterizedTest
    @CsvSource({"0,0B", "527,527B", "999,999B", "1000,1.00kB", "1234,1.23kB", "3400000,3.40MB", "1005,1.00kB",
            "1125,1.12kB", "40305,40.30kB", "40311,40.31kB", "2785,2.79kB"})
    void buildKit_printsWholeBytesBelowAKilobyte_andTwoDecimalsAbove(long bytes, String expected) {
        assertEquals(expected, ByteSizes.buildKit(bytes));
    }
}
