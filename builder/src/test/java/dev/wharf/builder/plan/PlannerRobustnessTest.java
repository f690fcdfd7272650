package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.Conformance;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The planner, fed every Dockerfile of the conformance corpus and seeded mutations of them, either plans or
 * raises {@link DockerfileException}; nothing else escapes (no NPE, index or state errors), and it never hangs.
 */
class PlannerRobustnessTest {

    private static final String[] FRAGMENTS = {"COPY --from=0 / /\n", "COPY --from=x / /\n", "FROM x AS y\n",
        "FROM 0\n", "ARG A=${B:?no}\n", "ONBUILD RUN x\n", "RUN --mount=from=y,target=/t x\n", "WORKDIR $A\n",
        "EXPOSE $A\n", "STOPSIGNAL $A\n", "ENV A=\"\n", "FROM --platform=$A scratch\n", "VOLUME $A\n"};

    @Test
    void corpusAndMutations_onlyEverRaiseDockerfileException() throws IOException {
        List<String> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Conformance.buildkit().resolve("parser"))) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("Dockerfile")).toList()) {
                inputs.add(Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        Random random = new Random(6);
        int corpus = inputs.size();
        for (int i = 0; i < 400; i++) {
            StringBuilder text = new StringBuilder(inputs.get(random.nextInt(corpus)));
            for (int k = random.nextInt(4); k >= 0; k--) {
                String fragment = FRAGMENTS[random.nextInt(FRAGMENTS.length)];
                text.insert(random.nextInt(text.length() + 1) == 0 ? 0 : text.length(), fragment);
            }
            inputs.add(text.toString());
        }
        int planned = 0;
        int rejected = 0;
        for (String input : inputs) {
            Dockerfile dockerfile;
            try {
                dockerfile = DockerfileReader.read(DockerfileParser.parse(input));
            } catch (DockerfileException e) {
                continue;
            }
            for (PlanRequest request : List.of(Plans.request(), Plans.request().withTarget("y"),
                    Plans.request().withBuildArg("A", "linux/amd64"))) {
                try {
                    new Planner(FixedResolver.anyImage()).plan(dockerfile, request);
                    planned++;
                } catch (DockerfileException e) {
                    assertTrue(!e.reason().isEmpty());
                    rejected++;
                }
            }
        }
        System.out.println("planner robustness: " + planned + " planned, " + rejected + " rejected, 0 crashed");
        assertTrue(planned > 0 && rejected > 0, "both outcomes exercised");
    }
}
