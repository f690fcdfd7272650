package dev.wharf.builder.plan;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;

/** Test helpers: plans Dockerfile text entirely in memory. */
final class Plans {

    private Plans() {
    }

    static BuildPlan plan(String dockerfile, PlanRequest request, ImageConfigResolver resolver)
            throws DockerfileException {
        return new Planner(resolver).plan(DockerfileReader.read(DockerfileParser.parse(dockerfile)), request);
    }

    static BuildPlan plan(String dockerfile, PlanRequest request) throws DockerfileException {
        return plan(dockerfile, request, FixedResolver.anyImage());
    }

    static BuildPlan plan(String dockerfile) throws DockerfileException {
        return plan(dockerfile, request());
    }

    static PlanRequest request() {
        return PlanRequest.of(FixedResolver.HOST);
    }
}
