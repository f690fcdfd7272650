package dev.wharf.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildFailedException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureMessageTest {
    private static final String NL = System.lineSeparator();

    @Test
    void failedCommand_namesStepLocationExitCodeAndLastLines() {
        BuildFailedException failure = new BuildFailedException("RUN make", "Dockerfile", 7, 2, "exit", null);
        assertEquals(String.join(NL,
                "Image build failed: RUN make failed with exit code 2 at Dockerfile:7",
                "  step:      RUN make",
                "  location:  Dockerfile:7",
                "  exit code: 2",
                "  last output lines:",
                "    > make: *** No rule to make target 'all'.",
                "  Fix the step in the Dockerfile; run Maven with -X to see every output line."),
                FailureMessage.of(failure, List.of("make: *** No rule to make target 'all'.")));
    }

    @Test
    void failureWithoutCommandOrLine_givesTheReason() {
        BuildFailedException failure = new BuildFailedException("COPY a /b", "Dockerfile", 0, null,
                "a: no such file in the context", null);
        assertEquals(String.join(NL,
                "Image build failed: COPY a /b failed: a: no such file in the context",
                "  step:      COPY a /b",
                "  Fix the step in the Dockerfile; run Maven with -X to see every output line."),
                FailureMessage.of(failure, List.of()));
    }
}
