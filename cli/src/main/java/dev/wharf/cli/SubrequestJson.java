package dev.wharf.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.wharf.builder.api.BuildOutline;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.Stage;
import dev.wharf.layers.json.GoCharacterEscapes;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Renders the {@code result.json} of BuildKit's {@code frontend.outline}, {@code frontend.targets} and
 * {@code frontend.lint} subrequests, which buildx prints for {@code --call=outline|targets|check,format=json}
 * (commands/build.go printValue): Go's {@code json.MarshalIndent(v, "", "  ")} of the subrequest's structs
 * (frontend/subrequests/outline/outline.go {@code Outline}, targets/targets.go {@code List}), their fields in
 * declaration order, the {@code omitempty} ones left out when empty, strings escaped as Go escapes them
 * ({@link GoCharacterEscapes}), the Dockerfile as base64 in {@code sources}, and each item's {@code location} the
 * ranges BuildKit's parser gives an instruction: one per line it spans ({@code parser/errors.go toRanges}), whose
 * {@code character} is 0 and so omitted, as is the {@code sourceIndex} 0. Stateless.
 */
final class SubrequestJson {
    private SubrequestJson() {
    }

    /** The outline's JSON, without a final newline. */
    static String outline(BuildOutline outline, byte[] dockerfile) {
        return render(g -> {
            g.writeStartObject();
            omitEmpty(g, "name", outline.name());
            omitEmpty(g, "description", outline.description());
            if (!outline.args().isEmpty()) {
                g.writeArrayFieldStart("args");
                for (BuildOutline.Arg a : outline.args()) {
                    g.writeStartObject();
                    g.writeStringField("name", a.name());
                    omitEmpty(g, "description", a.description());
                    omitEmpty(g, "value", a.value());
                    location(g, a.line(), a.endLine());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            mounts(g, "secrets", outline.secrets());
            mounts(g, "ssh", outline.ssh());
            g.writeArrayFieldStart("sources");
            g.writeBinary(dockerfile);
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * The targets' JSON, without a final newline: every stage with its name, the last one {@code default}, its
     * description, its base and {@code --platform} as written (unexpanded) and its FROM's lines
     * (dockerfile2llb/convert.go ListTargets).
     */
    static String targets(Dockerfile dockerfile, byte[] source) {
        return render(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("targets");
            List<Stage> stages = dockerfile.stages();
            for (int i = 0; i < stages.size(); i++) {
                Stage stage = stages.get(i);
                g.writeStartObject();
                omitEmpty(g, "name", stage.name().orElse(""));
                if (i == stages.size() - 1) {
                    g.writeBooleanField("default", true);
                }
                omitEmpty(g, "description", stage.docComment());
                omitEmpty(g, "base", stage.baseName().text());
                omitEmpty(g, "platform", stage.platform().map(w -> w.text()).orElse(""));
                location(g, stage.from().range().start().line(), stage.from().range().end().line());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("sources");
            g.writeBinary(source);
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * The check report's JSON, without a final newline: BuildKit's {@code lint.LintResults}
     * (frontend/subrequests/lint/lint.go), {@code warnings} in the order found ({@code null} when there is none, a
     * nil slice without omitempty), {@code sources} the Dockerfile, and {@code buildError} when planning stopped.
     * The source's {@code definition}, the LLB of BuildKit's session-bound local source of the Dockerfile, has no
     * counterpart in wharf and is left out, as Go omits a nil one.
     */
    static String lint(dev.wharf.builder.api.CheckReport report, byte[] dockerfile) {
        return render(g -> {
            g.writeStartObject();
            if (report.warnings().isEmpty()) {
                g.writeNullField("warnings");
            } else {
                g.writeArrayFieldStart("warnings");
                for (dev.wharf.builder.api.BuildEvent.Check w : report.warnings()) {
                    g.writeStartObject();
                    g.writeStringField("ruleName", w.rule());
                    omitEmpty(g, "description", w.description());
                    omitEmpty(g, "url", w.url());
                    omitEmpty(g, "detail", w.detail());
                    lintLocation(g, w.startLine(), w.endLine());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("sources");
            g.writeStartObject();
            omitEmpty(g, "filename", report.file());
            if (dockerfile.length > 0) {
                g.writeFieldName("data");
                g.writeBinary(dockerfile);
            }
            g.writeStringField("language", "Dockerfile");
            g.writeEndObject();
            g.writeEndArray();
            if (report.error().isPresent()) {
                g.writeObjectFieldStart("buildError");
                g.writeStringField("message", report.error().get());
                lintLocation(g, report.errorStartLine(), report.errorEndLine());
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    /** A finding's or error's pb.Location: its lines' ranges, or {@code {}} when it points at no line. */
    private static void lintLocation(JsonGenerator g, int first, int last) throws IOException {
        if (first <= 0) {
            g.writeObjectFieldStart("location");
            g.writeEndObject();
            return;
        }
        location(g, first, last);
    }

    private static void mounts(JsonGenerator g, String field, List<BuildOutline.Mounted> mounts) throws IOException {
        if (mounts.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (BuildOutline.Mounted m : mounts) {
            g.writeStartObject();
            g.writeStringField("name", m.id());
            if (m.required()) {
                g.writeBooleanField("required", true);
            }
            location(g, m.line(), m.endLine());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** pb.Location of toSourceLocation: one range per line, {@code start} and {@code end} on that line. */
    private static void location(JsonGenerator g, int first, int last) throws IOException {
        g.writeObjectFieldStart("location");
        g.writeArrayFieldStart("ranges");
        for (int line = first; line <= Math.max(first, last); line++) {
            g.writeStartObject();
            g.writeObjectFieldStart("start");
            g.writeNumberField("line", line);
            g.writeEndObject();
            g.writeObjectFieldStart("end");
            g.writeNumberField("line", line);
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void omitEmpty(JsonGenerator g, String field, String value) throws IOException {
        if (!value.isEmpty()) {
            g.writeStringField(field, value);
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String render(Body body) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = new JsonFactory().setCharacterEscapes(new GoCharacterEscapes())
                .createGenerator(text)) {
            g.setPrettyPrinter(GoIndent.printer("  "));
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render JSON into a string", e);
        }
        return text.toString();
    }
}
