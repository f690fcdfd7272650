package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildArgFlagsTest {

    @Test
    void valuesAndBareNames_readAsBuildxDoes() {
        assertEquals(Map.of("A", "1", "B", "from env", "C", ""),
                BuildArgFlags.resolve(List.of("A=1", "B", "C=", "MISSING"), Map.of("B", "from env")));
    }

    @Test
    void sourceDateEpochFromTheEnvironment_isABuildArg_unlessAFlagGivesIt() {
        Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "2000000000");
        assertEquals(Map.of("SOURCE_DATE_EPOCH", "2000000000"), BuildArgFlags.resolve(List.of(), env));
        assertEquals(Map.of("SOURCE_DATE_EPOCH", "1800000000"),
                BuildArgFlags.resolve(List.of("SOURCE_DATE_EPOCH=1800000000"), env), "the flag wins");
        assertEquals(Map.of(), BuildArgFlags.resolve(List.of(), Map.of("SOURCE_DATE_EPOCH", "")),
                "an empty variable is unset");
    }
}
