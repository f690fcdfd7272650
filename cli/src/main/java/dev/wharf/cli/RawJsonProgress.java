package dev.wharf.cli;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * {@code --progress=rawjson}: one JSON object per event and line, in the shape of BuildKit's {@code SolveStatus}
 * ({@code client/graph.go}: {@code vertexes}, {@code statuses}, {@code logs}, {@code warnings}, with Go's field
 * names and encodings: times in RFC 3339, log data and warning text base64 as Go encodes {@code []byte}).
 *
 * <p>A vertex is a step; its digest is derived from the step number and instruction, since wharf has no LLB
 * definition to take it from, and its {@code inputs} name the previous step of the same stage. Each vertex update
 * repeats the whole vertex, as BuildKit sends it. Thread-safe: one event is written as one line under a lock.
 */
final class RawJsonProgress implements ProgressListener {
    private record Vertex(String digest, String input, String name, Instant started) {
    }

    private final PrintWriter out;
    private final Clock clock;
    private final Map<Integer, Vertex> vertexes = new HashMap<>();
    private final Map<String, String> lastOfStage = new HashMap<>();
    private final Map<String, Instant> transferStarts = new HashMap<>();
    private final Map<Integer, Boolean> cached = new HashMap<>();

    RawJsonProgress(PrintWriter out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    @Override
    public synchronized void onEvent(BuildEvent event) {
        if (event instanceof BuildEvent.BlobTransferred b) {
            // A pulled or pushed blob is shown as the finished transfer it is.
            event = new BuildEvent.Transfer(b.step(), b.digest(), b.size(), b.size(), true);
        }
        Instant now = clock.instant();
        String line = null;
        if (event instanceof BuildEvent.StepStarted s) {
            String name = s.label();
            Vertex v = new Vertex(digest(s.step() + "\0" + name), s.index() > 1 ? lastOfStage.get(s.stage()) : null,
                    name, now);
            vertexes.put(s.step(), v);
            lastOfStage.put(s.stage(), v.digest());
            line = vertex(v, false, null, null);
        } else if (event instanceof BuildEvent.StepCached c) {
            cached.put(c.step(), true);
            line = vertex(vertex(c.step(), now), true, null, null);
        } else if (event instanceof BuildEvent.StepDone d) {
            line = vertex(vertex(d.step(), now), cached.getOrDefault(d.step(), false), now, null);
        } else if (event instanceof BuildEvent.StepFailed f) {
            // A cancelled vertex's error is Go's context.Canceled, which progressui tells by its text.
            line = vertex(vertex(f.step(), now), false, now,
                    f.cancelled() ? "context canceled" : f.message());
        } else if (event instanceof BuildEvent.StepLog l) {
            // BuildKit's log data is the bytes as written: a last line without a newline is sent without one.
            String data = Base64.getEncoder().encodeToString((l.terminated() ? l.line() + "\n" : l.line())
                    .getBytes(StandardCharsets.UTF_8));
            Vertex v = vertex(l.step(), now);
            // BuildKit stamps a log chunk when it was written: the line's first byte, not its delivery.
            Instant written = v.started().plus(l.elapsed());
            line = "{\"logs\":[{\"vertex\":" + str(v.digest()) + ",\"stream\":" + l.stream()
                    + ",\"data\":" + str(data) + ",\"timestamp\":" + str((written.isAfter(now) ? now : written)
                    .toString()) + "}]}";
        } else if (event instanceof BuildEvent.Transfer t) {
            Vertex v = vertex(t.step(), now);
            Instant started = transferStarts.computeIfAbsent(v.digest() + "\0" + t.id(), k -> now);
            StringBuilder status = new StringBuilder("{\"statuses\":[{\"id\":").append(str(t.id()))
                    .append(",\"vertex\":").append(str(v.digest()));
            if (fileSync(t.id())) {
                // VertexStatus.Name is the status's Action: filesync's progress handler names its transfers so
                // (session/filesync NewProgressHandler, exporter/local), other statuses have none.
                status.append(",\"name\":\"transferring\"");
            }
            if (t.total() > 0) {
                status.append(",\"total\":").append(t.total());
            }
            status.append(",\"current\":").append(t.current()).append(",\"timestamp\":").append(str(now.toString()))
                    .append(",\"started\":").append(str(started.toString()));
            if (t.completed()) {
                status.append(",\"completed\":").append(str(now.toString()));
            }
            line = status.append("}]}").toString();
        } else if (event instanceof BuildEvent.Warning w) {
            line = warning(w, w.step() > 0 ? vertex(w.step(), now).digest() : null);
        }
        // StepCacheMiss has no SolveStatus counterpart; BuildKit reports nothing like it.
        if (line != null) {
            out.println(line);
            out.flush();
        }
    }

    /**
     * Whether BuildKit sends the status through file sync: a local source's transfer ({@code transferring
     * context:}, {@code transferring dockerfile:}, a named context's) and the local exporter's {@code copying
     * files}; the peer's rawjson shows {@code "name": "transferring"} on exactly these.
     */
    static boolean fileSync(String statusId) {
        return statusId.startsWith("transferring ") || statusId.equals("copying files");
    }

    /**
     * A {@code client.VertexWarning}: level 1 and the short text; a build check adds its description as the
     * detail, its documentation link, the Dockerfile's name and the lines (dockerfile/builder/build.go warnOpts);
     * the vertex is the step's (a check's: the definition's) when it has one.
     */
    private static String warning(BuildEvent.Warning w, String vertex) {
        StringBuilder json = new StringBuilder("{\"warnings\":[{");
        if (vertex != null) {
            json.append("\"vertex\":").append(str(vertex)).append(',');
        }
        json.append("\"level\":1,\"short\":").append(str(base64(w.message())));
        if (w.check().isPresent()) {
            BuildEvent.Check c = w.check().get();
            json.append(",\"detail\":[").append(str(base64(c.description()))).append(']');
            if (!c.url().isEmpty()) {
                json.append(",\"url\":").append(str(c.url()));
            }
            json.append(",\"sourceInfo\":{\"filename\":").append(str(c.file()))
                    .append(",\"language\":\"Dockerfile\"}");
            if (c.startLine() > 0) {
                json.append(",\"range\":[{\"start\":{\"line\":").append(c.startLine())
                        .append("},\"end\":{\"line\":").append(c.endLine()).append("}}]");
            }
        }
        return json.append("}]}").toString();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private Vertex vertex(int step, Instant now) {
        return vertexes.computeIfAbsent(step, n -> new Vertex(digest(n + "\0#" + n), null, "#" + n, now));
    }

    private static String vertex(Vertex v, boolean cached, Instant completed, String error) {
        StringBuilder json = new StringBuilder("{\"vertexes\":[{\"digest\":").append(str(v.digest()));
        if (v.input() != null) {
            json.append(",\"inputs\":[").append(str(v.input())).append(']');
        }
        json.append(",\"name\":").append(str(v.name())).append(",\"started\":").append(str(v.started().toString()));
        if (completed != null) {
            json.append(",\"completed\":").append(str(completed.toString()));
        }
        if (cached) {
            json.append(",\"cached\":true");
        }
        if (error != null) {
            json.append(",\"error\":").append(str(error));
        }
        return json.append("}]}").toString();
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** A JSON string literal. */
    static String str(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        // Go's encoder escapes HTML characters and these separators too.
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
