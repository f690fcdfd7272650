package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The plan is data: no class of the planner touches the filesystem, the network, processes, the environment or
 * the clock. Checked on the sources, so that a new dependency on any of them fails here.
 */
class PlannerPurityTest {

    private static final Pattern FORBIDDEN = Pattern.compile("java\\.io\\.File|java\\.nio\\.file|java\\.net\\."
            + "|ProcessBuilder|Runtime\\.getRuntime|System\\.getenv|System\\.getProperty|Instant\\.now"
            + "|System\\.currentTimeMillis|LocalDateTime\\.now|new Thread|Executors\\.");

    @Test
    void plannerSources_useNoIo() throws IOException {
        Path dir = Path.of("src/main/java/dev/wharf/builder/plan");
        assertTrue(Files.isDirectory(dir), "run from the builder module: " + dir.toAbsolutePath());
        List<String> offenders = new ArrayList<>();
        int files = 0;
        try (Stream<Path> sources = Files.list(dir)) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                List<String> lines = Files.readAllLines(source);
                for (int i = 0; i < lines.size(); i++) {
                    if (FORBIDDEN.matcher(lines.get(i)).find()) {
                        offenders.add(source.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertTrue(files > 10, "planner sources found");
        assertEquals(List.of(), offenders);
    }
}
