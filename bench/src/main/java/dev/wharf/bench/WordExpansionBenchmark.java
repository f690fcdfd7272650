package dev.wharf.bench;

import dev.wharf.grammar.shell.EnvGetter;
import dev.wharf.grammar.shell.ShellExpansionException;
import dev.wharf.grammar.shell.ShellLexer;
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
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Word expansion of typical Dockerfile words: plain, a variable, a default, a pattern substitution, quoting. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WordExpansionBenchmark {

    private static final ShellLexer LEXER = ShellLexer.create();
    private static final EnvGetter ENV = EnvGetter.fromList(List.of(
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "TARGETPLATFORM=linux/amd64", "VERSION=1.2.3", "HOME=/root"));

    @Param({"/usr/src/app", "$HOME/bin", "app-${VERSION:-dev}.jar", "${PATH//:/ }", "\"quoted ${TARGETPLATFORM#linux/}\""})
    public String word;

    @Benchmark
    public String processWord() throws ShellExpansionException {
        return LEXER.processWord(word, ENV);
    }
}
