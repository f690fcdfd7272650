package dev.wharf.builder.exec;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.parser.SyntaxDetector;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What wharf does with the frontend a Dockerfile asks for ({@code # syntax=REF}, or the {@code BUILDKIT_SYNTAX}
 * build arg, which wins as in dockerui). BuildKit pulls that image and hands the build to it; wharf runs no frontend
 * images, only its built-in Dockerfile frontend, which follows the current {@code docker/dockerfile} (labs
 * included). So a reference to Docker's own frontend, {@code docker/dockerfile} or {@code docker/dockerfile-upstream}
 * with any tag or digest and with or without {@code docker.io/}, builds with the built-in one, silently: it is the
 * same language, and a {@code resolve image config} line would claim a pull that never happened. Any other image is
 * another frontend whose language and results wharf cannot know (a different Dockerfile dialect or no Dockerfile at
 * all): building the file as a Dockerfile could give a wrong image without a word, so the build fails, located at
 * the directive as BuildKit's failure to resolve the frontend is.
 *
 * <p>Stateless and thread-safe.
 */
final class FrontendSyntax {
    /** The build arg that, like the directive and before it, picks the frontend (dockerui's keySyntaxArg). */
    static final String BUILD_ARG = "BUILDKIT_SYNTAX";

    private static final Set<String> BUILT_IN = Set.of("docker/dockerfile", "docker/dockerfile-upstream");

    private FrontendSyntax() {
    }

    /** Fails unless the frontend {@code text} (the Dockerfile named {@code file}) asks for is the built-in one. */
    static void check(String file, String text, Map<String, String> buildArgs) throws DockerfileException {
        String fromArg = buildArgs.get(BUILD_ARG);
        if (fromArg != null && !fromArg.isBlank()) {
            String ref = fromArg.strip().split("\\s+", 2)[0];
            if (!builtIn(ref)) {
                throw new DockerfileException(null, null, refusal(ref) + "; unset the " + BUILD_ARG
                        + " build arg to build with it");
            }
            return;
        }
        Optional<SyntaxDetector.Found> found = SyntaxDetector.detectSyntax(text);
        if (found.isPresent() && !builtIn(found.get().reference())) {
            int line = found.get().line();
            throw new DockerfileException(file, line > 0 ? SourceRange.ofLines(line, line) : null,
                    refusal(found.get().reference()) + "; remove the syntax directive to build with it");
        }
    }

    /** Whether {@code ref} names Docker's Dockerfile frontend image, whatever its tag or digest. */
    static boolean builtIn(String ref) {
        String name = ref;
        int at = name.indexOf('@');
        if (at >= 0) {
            name = name.substring(0, at);
        }
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            name = name.substring(0, colon);
        }
        for (String registry : new String[] {"docker.io/", "index.docker.io/", "registry-1.docker.io/"}) {
            if (name.startsWith(registry)) {
                name = name.substring(registry.length());
                break;
            }
        }
        return BUILT_IN.contains(name);
    }

    private static String refusal(String ref) {
        return "unsupported frontend " + ref + ": wharf cannot run frontend images, only its built-in Dockerfile"
                + " frontend (docker/dockerfile, any tag)";
    }
}
