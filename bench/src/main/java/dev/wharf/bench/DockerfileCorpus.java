package dev.wharf.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Dockerfiles a parser benchmark runs over: every file named {@code Dockerfile} under {@code testdata/} and
 * under the conformance corpus's valid parser cases. Negative cases are left out: they measure error paths.
 */
record DockerfileCorpus(List<String> names, List<String> texts, long bytes) {

    static DockerfileCorpus load(Path repoRoot, Path sharedDir) {
        List<Path> roots = List.of(repoRoot.resolve("testdata"),
                sharedDir.resolve("conformance/buildkit/parser/testfiles"),
                sharedDir.resolve("conformance/buildkit/parser/testfile-line"));
        List<String> names = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        long bytes = 0;
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path file : walk.filter(p -> p.getFileName().toString().equals("Dockerfile")).sorted().toList()) {
                    byte[] content = Files.readAllBytes(file);
                    names.add(file.toString());
                    texts.add(new String(content, StandardCharsets.UTF_8));
                    bytes += content.length;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (texts.isEmpty()) {
            throw new IllegalStateException("no Dockerfiles found under " + roots);
        }
        return new DockerfileCorpus(List.copyOf(names), List.copyOf(texts), bytes);
    }
}
