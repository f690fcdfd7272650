package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SetupScriptTest {
    @Test
    void batched_makesEveryMountPointWithOneMkdirAndOneChownPerOwner_thenTheFileStubs() {
        List<String> early = List.of(
                "mkdir -m 755 \"$R\"'/proc'", "chown 0:0 \"$R\"'/proc'",
                "mkdir -m 755 \"$R\"'/run'", "chown 0:0 \"$R\"'/run'",
                "[ -e \"$R\"'/run/x' ] || : > \"$R\"'/run/x'",
                "mkdir -m 755 \"$R\"'/run'", "chown 0:0 \"$R\"'/run'",
                "mkdir -m 755 \"$R\"'/home/u'", "chown 1000:1000 \"$R\"'/home/u'");
        assertEquals(List.of(
                "mkdir -m 755 \"$R\"'/proc' \"$R\"'/run' \"$R\"'/home/u'",
                "chown 0:0 \"$R\"'/proc' \"$R\"'/run'",
                "chown 1000:1000 \"$R\"'/home/u'",
                "[ -e \"$R\"'/run/x' ] || : > \"$R\"'/run/x'"), SetupScript.batched(early));
    }
}
