package dev.wharf.bench;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.grammar.parser.ParseResult;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parsing throughput over the whole corpus: one operation parses every Dockerfile once. Multiply ops/s by the
 * corpus size printed at setup for MB/s, and by the file count for Dockerfiles/s (bench/jmh.sh does both).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParserBenchmark {

    private DockerfileCorpus corpus;

    @Setup
    public void load() {
        Path repo = Path.of(System.getProperty("wharf.repo", "."));
        Path shared = Path.of(System.getProperty("wharf.shared.dir", repo.resolve("../shared").toString()));
        corpus = DockerfileCorpus.load(repo, shared);
        System.out.printf("%ncorpus: %d Dockerfiles, %d bytes%n", corpus.texts().size(), corpus.bytes());
    }

    @Benchmark
    public void parseCorpus(Blackhole blackhole) throws DockerfileException {
        for (String text : corpus.texts()) {
            ParseResult result = DockerfileParser.parse(text);
            blackhole.consume(result);
        }
    }
}
