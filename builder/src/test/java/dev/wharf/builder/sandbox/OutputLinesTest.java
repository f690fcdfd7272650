package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputLinesTest {
    private final List<String> seen = new ArrayList<>();
    private final OutputLines lines = lines(true);

    private OutputLines lines(boolean joined) {
        return new OutputLines((stream, text, start, terminated) ->
                seen.add(stream.fd() + ":" + text + "@" + start + (terminated ? "" : " (no newline)")), 2, joined);
    }

    private void write(StdStream stream, String text, long now) {
        write(lines, stream, text, now);
    }

    private static void write(OutputLines to, StdStream stream, String text, long now) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        to.chunk(stream, bytes, bytes.length, now);
    }

    @Test
    void aLineBegunOnStdout_isEndedByStderrsNewline_asBuildKitsOneBufferPerVertex() {
        write(StdStream.STDOUT, "a", 10);
        write(StdStream.STDERR, "b\nerr", 20);
        write(StdStream.STDOUT, "c\n\n", 30);
        assertEquals(List.of("1:ab@10", "2:errc@20", "1:@30"), seen);
    }

    @Test
    void theLastLineWithoutNewline_waitsForBothStreams_andSaysSo() {
        write(StdStream.STDOUT, "x", 5);
        lines.streamEnded(StdStream.STDOUT);
        assertEquals(List.of(), seen, "stderr can still end the line");
        write(StdStream.STDERR, "y\nz", 7);
        lines.streamEnded(StdStream.STDERR);
        assertEquals(List.of("1:xy@5", "2:z@7 (no newline)"), seen);
    }

    @Test
    void theStderrTail_isStderrAlone_soAStdoutFragmentNeverHidesTheRuntimesMessage() {
        write(StdStream.STDERR, "one\n", 1);
        write(StdStream.STDOUT, "progress ", 2);
        write(StdStream.STDERR, "two\nexec failed: no such file", 3);
        lines.streamEnded(StdStream.STDOUT);
        lines.streamEnded(StdStream.STDERR);
        assertEquals(List.of("two", "exec failed: no such file"), List.copyOf(lines.stderrTail()));
        assertEquals(List.of("2:one@1", "1:progress two@2", "2:exec failed: no such file@3 (no newline)"), seen);
    }

    @Test
    void notJoined_eachStreamKeepsItsOwnLines_asDockerRunDoes() {
        OutputLines apart = lines(false);
        write(apart, StdStream.STDOUT, "a", 1);
        write(apart, StdStream.STDERR, "b\nc", 2);
        apart.streamEnded(StdStream.STDERR);
        write(apart, StdStream.STDOUT, "d\n", 3);
        apart.streamEnded(StdStream.STDOUT);
        assertEquals(List.of("2:b@2", "2:c@2 (no newline)", "1:ad@1"), seen);
    }
}
