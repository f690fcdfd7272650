package dev.wharf.bench;

import dev.wharf.builder.plan.BaseImage;
import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.ImageConfig;
import dev.wharf.builder.plan.ImageConfigResolver;
import dev.wharf.builder.plan.PlanRequest;
import dev.wharf.builder.plan.Planner;
import dev.wharf.builder.plan.Platform;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A hostile Dockerfile's cost: parsing, reading and planning a Dockerfile of {@code instructions} instructions (ten
 * stages mixing ARG, ENV with references, RUN, COPY --from, LABEL, WORKDIR) per operation. The reliability issue
 * asks that 10,000 instructions plan in under a second: the score is milliseconds per plan (bench/jmh.sh
 * PlannerBenchmark).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PlannerBenchmark {
    @Param({"10000"})
    public int instructions;

    private String dockerfile;

    @Setup
    public void generate() {
        StringBuilder text = new StringBuilder("ARG BASE=busybox:latest\n");
        int stages = 10;
        int perStage = instructions / stages;
        for (int s = 0; s < stages; s++) {
            text.append("FROM ${BASE} AS s").append(s).append('\n');
            for (int i = 0; i < perStage - 1; i++) {
                switch (i % 6) {
                    case 0 -> text.append("ARG A").append(i).append("=v").append(i).append('\n');
                    case 1 -> text.append("ENV E").append(i).append("=${A").append(i - 1).append(":-x}/$PATH\n");
                    case 2 -> text.append("RUN echo ").append(i).append(" $E").append(i - 1).append(" > /f").append(i)
                            .append('\n');
                    case 3 -> text.append(s > 0 ? "COPY --from=s" + (s - 1) + " /f" + (i - 1) + " /g" + i
                            : "WORKDIR /w" + i).append('\n');
                    case 4 -> text.append("LABEL l").append(i).append("=\"").append(i).append("\"\n");
                    default -> text.append("WORKDIR /w").append(i).append('\n');
                }
            }
        }
        dockerfile = text.toString();
    }

    @Benchmark
    public BuildPlan plan() throws DockerfileException {
        ImageConfigResolver any = (reference, platform) -> new BaseImage("docker.io/library/" + reference, platform,
                ImageConfig.empty().withEnv(List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin")), false);
        return new Planner(any).plan(DockerfileReader.read(DockerfileParser.parse(dockerfile)),
                PlanRequest.of(Platform.of("linux", "amd64", "")));
    }
}
