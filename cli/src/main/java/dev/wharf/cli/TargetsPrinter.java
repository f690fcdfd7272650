package dev.wharf.cli;

import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.Stage;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints {@code wharf build --call=targets}: the Dockerfile's stages as buildx prints BuildKit's
 * {@code frontend.targets} subrequest (frontend/dockerfile/dockerfile2llb/convert.go ListTargets,
 * frontend/subrequests/targets/targets.go PrintTargets): a {@code TARGET DESCRIPTION} table whose first column is
 * padded as Go's tabwriter pads it (widest cell plus one space), one row per stage in order, the stage's name
 * (lower-cased, empty for an unnamed stage), the last stage marked {@code (default)}, and the stage's description:
 * the comment above its FROM that starts with the stage's name and a space.
 *
 * <p>Stateless apart from its writer; not thread-safe.
 */
final class TargetsPrinter {
    private final PrintWriter out;

    TargetsPrinter(PrintWriter out) {
        this.out = out;
    }

    void print(Dockerfile dockerfile) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TARGET", "DESCRIPTION"});
        List<Stage> stages = dockerfile.stages();
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            String name = stage.name().orElse("");
            if (i == stages.size() - 1) {
                name = name.isEmpty() ? "(default)" : name + " (default)";
            }
            rows.add(new String[] {name, stage.docComment()});
        }
        StringBuilder text = new StringBuilder();
        GoTabwriter.append(text, rows, 1);
        out.print(text);
        out.flush();
    }
}
