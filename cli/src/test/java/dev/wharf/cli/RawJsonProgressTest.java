package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.builder.api.BuildEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --progress=rawjson}: each line parses as one BuildKit SolveStatus with its Go field names. */
class RawJsonProgressTest {
    private final StringWriter written = new StringWriter();
    private final RawJsonProgress progress = new RawJsonProgress(new PrintWriter(written),
            Clock.fixed(Instant.parse("2026-11-27T10:00:00.5Z"), ZoneOffset.UTC));

    private List<JsonNode> lines() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : written.toString().split("\n")) {
            out.add(mapper.readTree(line));
        }
        return out;
    }

    @Test
    void eachEvent_isOneSolveStatusLine_withVertexesLogsStatusesAndWarnings() throws Exception {
        progress.onEvent(new BuildEvent.StepStarted(1, "build", 1, 2, "FROM busybox"));
        progress.onEvent(new BuildEvent.StepCached(1));
        progress.onEvent(new BuildEvent.StepDone(1, Duration.ZERO));
        progress.onEvent(new BuildEvent.StepStarted(2, "build", 2, 2, "RUN echo \"<hi>\""));
        progress.onEvent(new BuildEvent.StepLog(2, 2, "<hi>", Duration.ofMillis(3)));
        progress.onEvent(new BuildEvent.Transfer(2, "compressing layer", 10, 20, true));
        progress.onEvent(new BuildEvent.StepCacheMiss(2, List.of("no previous build")));
        progress.onEvent(new BuildEvent.StepFailed(2, "exit code: 1", Duration.ofMillis(5)));
        progress.onEvent(new BuildEvent.Warning("FROM without --platform"));
        List<JsonNode> lines = lines();
        assertEquals(8, lines.size(), "the cache-miss explanation has no SolveStatus form: " + written);

        JsonNode started = lines.get(0).get("vertexes").get(0);
        String from = started.get("digest").asText();
        assertTrue(from.matches("sha256:[0-9a-f]{64}"), from);
        assertEquals("[build 1/2] FROM busybox", started.get("name").asText());
        assertEquals("2026-11-27T10:00:00.500Z", started.get("started").asText());
        assertFalse(started.has("completed"));
        JsonNode cachedDone = lines.get(2).get("vertexes").get(0);
        assertTrue(cachedDone.get("cached").asBoolean());
        assertEquals(from, cachedDone.get("digest").asText(), "the same vertex is sent again, whole");
        assertTrue(cachedDone.has("completed"));

        JsonNode run = lines.get(3).get("vertexes").get(0);
        assertEquals(from, run.get("inputs").get(0).asText(), "a step's input is the previous step of its stage");
        JsonNode log = lines.get(4).get("logs").get(0);
        assertEquals(run.get("digest").asText(), log.get("vertex").asText());
        assertEquals(2, log.get("stream").asInt());
        assertEquals("<hi>\n", new String(Base64.getDecoder().decode(log.get("data").asText()),
                StandardCharsets.UTF_8), "data is base64, as Go encodes []byte");
        assertTrue(written.toString().contains("\\u003chi\\u003e"), "HTML characters escaped as Go does");
        JsonNode status = lines.get(5).get("statuses").get(0);
        assertEquals("compressing layer", status.get("id").asText());
        assertEquals(10, status.get("current").asLong());
        assertEquals(20, status.get("total").asLong());
        assertTrue(status.has("completed") && status.has("timestamp") && status.has("started"));
        JsonNode failed = lines.get(6).get("vertexes").get(0);
        assertEquals("exit code: 1", failed.get("error").asText());
        assertEquals("FROM without --platform", new String(Base64.getDecoder().decode(
                lines.get(7).get("warnings").get(0).get("short").asText()), StandardCharsets.UTF_8));
    }

    @Test
    void fileSyncTransfers_areNamedTransferring_asBuildKitsProgressHandlerActs() throws Exception {
        // The peer's rawjson (buildx 0.13.1 on BuildKit 0.13): "transferring context:" and the local exporter's
        // "copying files" carry "name": "transferring" after the vertex; "sending tarball" and the image
        // exporter's statuses carry no name.
        progress.onEvent(new BuildEvent.StepStarted(1, "", 0, 0, "[internal] load build context"));
        progress.onEvent(new BuildEvent.Transfer(1, "transferring context:", 28, 0, true));
        progress.onEvent(new BuildEvent.StepStarted(2, "", 0, 0, "exporting to client directory"));
        progress.onEvent(new BuildEvent.Transfer(2, "copying files", 71965, 0, true));
        progress.onEvent(new BuildEvent.StepStarted(3, "", 0, 0, "exporting to client tarball"));
        progress.onEvent(new BuildEvent.Transfer(3, "sending tarball", 0, 0, true));
        List<JsonNode> lines = lines();
        JsonNode context = lines.get(1).get("statuses").get(0);
        assertEquals("transferring", context.get("name").asText());
        assertEquals(28, context.get("current").asLong());
        JsonNode copying = lines.get(3).get("statuses").get(0);
        assertEquals("transferring", copying.get("name").asText());
        assertEquals(71965, copying.get("current").asLong());
        assertFalse(lines.get(5).get("statuses").get(0).has("name"));
        assertTrue(written.toString().contains("\"vertex\":\"" + lines.get(3).get("statuses").get(0)
                .get("vertex").asText() + "\",\"name\":\"transferring\",\"current\":71965,"),
                "Go's field order: id, vertex, name, total, current: " + written);
    }

    @Test
    void aCancelledStep_hasGosContextCanceledError_asBuildKitsVertex() throws Exception {
        progress.onEvent(new BuildEvent.StepStarted(1, "a", 2, 2, "RUN sleep 10"));
        progress.onEvent(new BuildEvent.StepFailed(1, "cancelled", Duration.ofMillis(5)));
        assertEquals("context canceled", lines().get(1).get("vertexes").get(0).get("error").asText());
    }

    @Test
    void aLastLineWithoutNewline_isSentWithoutOne_asBuildKitsLogDataIsTheBytesWritten() throws Exception {
        progress.onEvent(new BuildEvent.StepStarted(1, "build", 1, 1, "RUN echo a; printf b"));
        progress.onEvent(new BuildEvent.StepLog(1, 1, "a", Duration.ofMillis(1)));
        progress.onEvent(new BuildEvent.StepLog(1, 1, "b", Duration.ofMillis(2), false));
        List<JsonNode> lines = lines();
        assertEquals("YQo=", lines.get(1).get("logs").get(0).get("data").asText(), "a\\n");
        assertEquals("Yg==", lines.get(2).get("logs").get(0).get("data").asText(), "b, no newline");
    }
}
