package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.Conformance;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.layers.testing.FuzzOutcomes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Token- and line-level mutations of real Dockerfiles (the repository's testdata and the conformance corpus, read in
 * place) through parser, instruction reader, build checks and planner: every input plans or fails with a
 * {@link DockerfileException} that has a line and a message; nothing else escapes. Input {@code i} comes from seed
 * {@code base + i}; {@code -Dwharf.fuzz.plan.iterations=N} (default 3000) and {@code -Dwharf.fuzz.seed=S} tune it.
 */
class PlannerFuzzTest {

    /** Tokens that stress flags, expansion, heredocs, escapes and stage references. */
    private static final String[] TOKENS = {"--mount=", "--mount=type=cache,id=", "--mount=type=bind,source=${A",
        "--mount=type=secret,id=,target=", "--mount=type=tmpfs,size=-1", "--mount=type=ssh,mode=99999999999",
        "--mount=from=", "--mount=type=cache,sharing=x,uid=-1,gid=9999999999999", "--mount=\"", "--chmod=99999",
        "--chmod=u+x", "--chown=:", "--chown=${A}", "--link", "--parents", "--exclude=[", "--exclude=\\",
        "--from=", "--from=${A:-", "--from=-1", "--from=999", "--platform=$A", "--platform=/", "--network=x",
        "--security=insecure", "--checksum=sha256:zz", "--keep-git-dir=maybe", "--interval=-1s", "--timeout=0",
        "--start-period=1e9h", "--retries=-3", "--start-interval=x", "${", "${A", "${A:?}", "${A:+${B", "$A",
        "${A/x/y}", "${A##*}", "\\", "`", "\\\n", "<<EOF", "<<EOF\n", "<<-'E'\nx\nE\n", "\nEOF\n", "[", "[\"a\",",
        "[]", "\"", "'", "=", " AS ", " AS 0", " AS a-b", "\u0000", "\uFFFD", "\uD800", "é", "\t", "\r", "\u00A0",
        " ", ":", "@sha256:", "scratch", "0", "-", "..", "/", "*", "**", "9".repeat(25), "ONBUILD ", "ONBUILD ONBUILD ",
        "HEALTHCHECK NONE", "HEALTHCHECK CMD", "SHELL []", "SHELL [\"\"]", "EXPOSE 99999999/tcp", "EXPOSE 1-",
        "EXPOSE 80-79", "USER :", "USER 4294967296", "STOPSIGNAL SIGFOO", "STOPSIGNAL 99999999999", "WORKDIR",
        "ENV A", "ENV =", "ARG", "ARG =x", "LABEL =", "VOLUME []", "CMD [\"a\" \"b\"]", "MAINTAINER"};
    private static final String[] LINES = {"FROM scratch", "FROM busybox AS a", "FROM a", "FROM $A", "FROM ${A:-a}",
        "ARG A=1", "ARG A", "ENV A=${A}", "COPY --from=a / /", "COPY --from=0 /x /y", "RUN --mount=from=a,target=/t x",
        "RUN <<EOF", "EOF", "# escape=`", "# syntax=docker/dockerfile:1", "# check=skip=all;error=true",
        "# check=skip=", "WORKDIR ..", "ADD https://x/y /", "ADD git@h:r.git /", "COPY <<A <<B /d/", "A", "B",
        "ONBUILD COPY --from=a / /", "HEALTHCHECK --interval=1s CMD true", "ENTRYPOINT [\"a\"", "CMD a \\"};

    @Test
    void mutatedDockerfilesPlanOrFailWithALocatedDockerfileException() throws IOException {
        List<String> seeds = seeds();
        int iterations = Integer.getInteger("wharf.fuzz.plan.iterations", 3000);
        long base = Long.getLong("wharf.fuzz.seed", 0xD0CL);
        int[] unlocated = new int[1];
        FuzzOutcomes outcomes = new FuzzOutcomes(DockerfileException.class);
        PlanRequest[] requests = {Plans.request(), Plans.request().withTarget("a"),
            Plans.request().withBuildArg("A", "linux/amd64")};
        for (int i = 0; i < iterations; i++) {
            long seed = base + i;
            Random rnd = new Random(seed);
            String input = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
            PlanRequest checked = requests[rnd.nextInt(requests.length)];
            PlanRequest planned = requests[rnd.nextInt(requests.length)];
            outcomes.attempt(seed, () -> abbreviate(input).replace("\n", "\\n"), () -> {
                try {
                    Dockerfile dockerfile = DockerfileReader.read(DockerfileParser.parse(input));
                    Planner planner = new Planner(FixedResolver.anyImage());
                    assertNotNull(planner.check(dockerfile, checked));
                    planner.plan(dockerfile, planned);
                } catch (DockerfileException e) {
                    assertTrue(e.getMessage().startsWith("Dockerfile"), "seed " + seed + ": " + e.getMessage());
                    // Not located: request errors BuildKit does not locate either (target stage not found, no
                    // stages, check directive options); counted in the report below.
                    unlocated[0] += e.range().isEmpty() ? 1 : 0;
                    throw e;
                }
            });
        }
        System.out.println("planner fuzz: " + iterations + " inputs (seed " + base + "), " + outcomes + " ("
                + unlocated[0] + " without a position)");
        outcomes.assertOnlyExpectedOutcomes();
    }

    private static String mutate(String seed, Random rnd) {
        List<String> lines = new ArrayList<>(Arrays.asList(seed.split("\n", -1)));
        for (int r = 1 + rnd.nextInt(4); r > 0; r--) {
            int at = rnd.nextInt(lines.size());
            switch (rnd.nextInt(8)) {
                case 0 -> {
                    if (lines.size() > 1) {
                        lines.remove(at);
                    }
                }
                case 1 -> lines.add(at, lines.get(rnd.nextInt(lines.size())));
                case 2 -> Collections.swap(lines, at, rnd.nextInt(lines.size()));
                case 3 -> lines.add(at, LINES[rnd.nextInt(LINES.length)]);
                case 4 -> { // a token inside a line, at a word boundary or anywhere
                    String line = lines.get(at);
                    int pos = rnd.nextInt(line.length() + 1);
                    if (rnd.nextBoolean()) {
                        int space = line.indexOf(' ', pos);
                        pos = space < 0 ? line.length() : space + 1;
                    }
                    String token = TOKENS[rnd.nextInt(TOKENS.length)];
                    lines.set(at, line.substring(0, pos) + token + (rnd.nextBoolean() ? " " : "") + line.substring(pos));
                }
                case 5 -> { // a random byte, or a run of them
                    String line = lines.get(at);
                    int pos = rnd.nextInt(line.length() + 1);
                    StringBuilder junk = new StringBuilder();
                    for (int n = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 200 : 3); n > 0; n--) {
                        junk.append((char) rnd.nextInt(rnd.nextBoolean() ? 128 : 0x3100));
                    }
                    lines.set(at, line.substring(0, pos) + junk + line.substring(pos));
                }
                case 6 -> { // truncate a line, or the file
                    String line = lines.get(at);
                    lines.set(at, line.substring(0, rnd.nextInt(line.length() + 1)));
                    if (rnd.nextInt(4) == 0) {
                        lines.subList(at + 1, lines.size()).clear();
                    }
                }
                default -> { // deep continuations or a huge line
                    String line = lines.get(at);
                    lines.set(at, rnd.nextBoolean() ? line + " \\\n".repeat(1 + rnd.nextInt(2000))
                            : line + " " + "x".repeat(rnd.nextInt(70_000)));
                }
            }
        }
        return String.join("\n", lines);
    }

    private static List<String> seeds() throws IOException {
        List<String> seeds = new ArrayList<>();
        List<Path> roots = new ArrayList<>(List.of(Path.of("..", "testdata")));
        roots.add(Conformance.buildkit().resolve("parser"));
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.filter(f -> f.getFileName().toString().startsWith("Dockerfile")
                        && Files.isRegularFile(f)).sorted().toList()) {
                    seeds.add(new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
                }
            }
        }
        assertTrue(seeds.size() > 10, "seed Dockerfiles found: " + seeds.size());
        return seeds;
    }

    private static String abbreviate(String s) {
        return s.length() <= 1500 ? s : s.substring(0, 1500) + "...(" + s.length() + " chars)";
    }
}
