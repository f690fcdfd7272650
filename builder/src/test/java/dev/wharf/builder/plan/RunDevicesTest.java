package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.RunInstruction;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** RUN --device: refused by the stable frontend, and under labs only an optional device (wharf has no CDI). */
class RunDevicesTest {

    @Test
    void stableFrontend_refusesDevice_whilePlanning_atTheRun() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM alpine\nRUN true\nRUN --device=vendor.com/gpu=all nvidia-smi\n"));
        assertEquals("device feature is only supported in Dockerfile frontend 1.14.0-labs or later", e.reason());
        assertEquals(3, e.range().orElseThrow().start().line());
        // An explicit stable channel is no different from none.
        assertThrows(DockerfileException.class, () -> Plans.plan(
                "# syntax=docker/dockerfile:1.19\nFROM alpine\nRUN --device=vendor.com/gpu,required=false true\n"));
    }

    @Test
    void stableFrontend_ignoresDevice_inAStageTheTargetDoesNotNeed() throws DockerfileException {
        // convert.go dispatches only the stages the target reaches, so an unused stage's RUN is never converted.
        BuildPlan plan = Plans.plan("FROM alpine AS gpu\nRUN --device=vendor.com/gpu true\nFROM alpine\nRUN true\n");
        assertEquals(1, plan.stages().size());
    }

    @Test
    void labsFrontend_dropsAnOptionalDevice_andRefusesARequiredOne() throws DockerfileException {
        BuildPlan plan = Plans.plan("# syntax=docker/dockerfile:1-labs\nFROM alpine\n"
                + "RUN --device=vendor.com/gpu=all true\n");
        RunInstruction run = (RunInstruction) plan.stages().get(0).steps().get(0).instruction();
        assertEquals(1, run.devices().size());

        DockerfileException e = assertThrows(DockerfileException.class, () -> Plans.plan(
                "# syntax=docker/dockerfile:1.14-labs\nFROM alpine\nRUN --device=vendor.com/gpu=0,required true\n"));
        assertEquals("required device \"vendor.com/gpu=0\" is not registered", e.reason());
        assertEquals(3, e.range().orElseThrow().start().line());
    }

    @Test
    void buildkitSyntaxBuildArg_picksTheChannel_overTheDirective() throws DockerfileException {
        String dockerfile = "# syntax=docker/dockerfile:1\nFROM alpine\nRUN --device=vendor.com/gpu true\n";
        Plans.plan(dockerfile, Plans.request().withBuildArgs(Map.of("BUILDKIT_SYNTAX",
                "docker/dockerfile-upstream:master-labs")));
        assertTrue(RunDevices.labs(Optional.of("docker.io/docker/dockerfile:1.14-labs@sha256:abc"), Map.of()));
        assertFalse(RunDevices.labs(Optional.of("docker/dockerfile:1-labs"),
                Map.of("BUILDKIT_SYNTAX", "docker/dockerfile:1")));
        assertFalse(RunDevices.labs(Optional.empty(), Map.of()));
    }
}
