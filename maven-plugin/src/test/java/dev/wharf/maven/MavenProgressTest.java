package dev.wharf.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildEvent;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MavenProgressTest {

    @Test
    void stepsGoToInfo_outputLinesToDebug_warningsToWarn() {
        RecordingLog log = new RecordingLog(true);
        MavenProgress progress = new MavenProgress(log);
        progress.onEvent(new BuildEvent.StepStarted(2, "build", 2, 3, "RUN make"));
        progress.onEvent(new BuildEvent.StepCacheMiss(2, List.of("build arg VERSION changed")));
        progress.onEvent(new BuildEvent.StepLog(2, 1, "compiling", Duration.ofMillis(250)));
        progress.onEvent(new BuildEvent.StepDone(2, Duration.ofMillis(1234)));
        progress.onEvent(new BuildEvent.StepCached(3));
        progress.onEvent(new BuildEvent.Warning("unused build arg FOO"));
        assertEquals(List.of("INFO #2 [build 2/3] RUN make",
                "INFO #2 cache miss: build arg VERSION changed", "DEBUG #2 0.3s compiling", "INFO #2 DONE 1.2s",
                "INFO #3 CACHED", "WARN unused build arg FOO"), log.lines);
    }

    @Test
    void buildChecks_areMavenWarningsInBuildKitsShortForm() {
        RecordingLog log = new RecordingLog(false);
        MavenProgress progress = new MavenProgress(log);
        String text = "JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related"
                + " to OS signals (line 3)";
        progress.onEvent(new BuildEvent.Warning(text, java.util.Optional.of(new BuildEvent.Check(
                "JSONArgsRecommended", "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior"
                + " related to OS signals", "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
                "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
                "Dockerfile", 3, 3))));
        assertEquals(List.of("WARN " + text), log.lines);
    }

    @Test
    void outputLinesAreNotLoggedWithoutDebug_butTheFailedStepsTailIsKept() {
        RecordingLog log = new RecordingLog(false);
        MavenProgress progress = new MavenProgress(log);
        progress.onEvent(new BuildEvent.StepStarted(1, "stage-0", 2, 2, "RUN exit 3"));
        IntStream.rangeClosed(1, 15).forEach(i ->
                progress.onEvent(new BuildEvent.StepLog(1, 2, "line " + i, Duration.ZERO)));
        progress.onEvent(new BuildEvent.StepFailed(1, "exit code 3", Duration.ofSeconds(2)));
        assertEquals(List.of("INFO #1 [stage-0 2/2] RUN exit 3", "ERROR #1 ERROR: exit code 3"), log.lines);
        List<String> tail = progress.failedStepTail();
        assertEquals(MavenProgress.TAIL_LINES, tail.size());
        assertEquals("line 6", tail.get(0));
        assertEquals("line 15", tail.get(tail.size() - 1));
    }

    @Test
    void failedStepTail_isEmptyWhenNothingFailed() {
        MavenProgress progress = new MavenProgress(new RecordingLog(false));
        progress.onEvent(new BuildEvent.StepLog(1, 1, "fine", Duration.ZERO));
        assertEquals(List.of(), progress.failedStepTail());
        assertEquals(List.of("fine"), progress.tail(1));
    }
}
