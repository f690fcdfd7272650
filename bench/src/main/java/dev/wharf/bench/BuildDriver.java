package dev.wharf.bench;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineOptions;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The embedded side of {@code bench/run.sh}: one warm JVM that builds through the Java API on request, so the
 * script can alternate its builds with the peers' builds while the JVM stays warm.
 *
 * <p>Reads one request per line from standard input, {@code CONTEXT DOCKERFILE TAG NOCACHE [NETWORK]}, builds it on
 * the store given as the first argument, and answers on standard output with {@code ok MILLIS} or
 * {@code error MESSAGE}. The time is measured inside the JVM: this is what a Maven or Gradle build that embeds wharf
 * waits for.
 */
public final class BuildDriver {

    private BuildDriver() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: BuildDriver STORE_ROOT   (then requests on stdin: CONTEXT DOCKERFILE TAG NOCACHE [NETWORK])");
            System.exit(2);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(Path.of(args[0])))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 4) {
                    out.println("error bad request: " + line);
                    continue;
                }
                BuildRequest.Builder request = BuildRequest.builder(Path.of(f[0]))
                        .dockerfile(Path.of(f[1])).tag(f[2]).noCache(Boolean.parseBoolean(f[3]));
                if (f.length > 4) {
                    request.network(f[4]);
                }
                long start = System.nanoTime();
                try {
                    engine.build(request.build()).get();
                    out.println("ok " + (System.nanoTime() - start) / 1_000_000);
                } catch (Exception e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    out.println("error " + String.valueOf(cause.getMessage()).replace('\n', ' '));
                }
            }
        }
    }
}
