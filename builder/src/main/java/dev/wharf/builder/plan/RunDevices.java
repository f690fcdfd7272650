package dev.wharf.builder.plan;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.Device;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.RunInstruction;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What becomes of {@code RUN --device}: the stable Dockerfile frontend parses the flag but refuses it while
 * converting ({@code convert_norundevice.go}: CDI devices are compiled only into the {@code -labs} channel). Under
 * a labs syntax BuildKit hands the names to its CDI manager; wharf registers no CDI devices, so a required one
 * fails with the manager's message and an optional one is dropped, as the manager drops an unregistered optional
 * device (with only a daemon log line, nothing the client sees). Errors are unlocated.
 *
 * <p>Stateless and thread-safe.
 */
final class RunDevices {

    /** The build arg that, like the directive, picks the frontend (dockerui's {@code BUILDKIT_SYNTAX}). */
    static final String SYNTAX_BUILD_ARG = "BUILDKIT_SYNTAX";

    private RunDevices() {
    }

    /**
     * Whether the frontend picked by the {@code # syntax=} directive or the {@code BUILDKIT_SYNTAX} build arg (which
     * wins, as dockerui forwards to it first) is a labs one, such as {@code docker/dockerfile:1-labs}.
     */
    static boolean labs(Optional<String> directive, Map<String, String> buildArgs) {
        String syntax = Optional.ofNullable(buildArgs.get(SYNTAX_BUILD_ARG)).orElse(directive.orElse(""));
        // The channel is the tag's suffix: 1-labs, 1.14-labs, master-labs (a digest may follow after '@').
        String ref = syntax.toLowerCase(Locale.ROOT);
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
        }
        return ref.endsWith("-labs") || ref.endsWith(":labs");
    }

    static void check(Instruction instruction, boolean labs) throws DockerfileException {
        if (!(instruction instanceof RunInstruction run) || run.devices().isEmpty()) {
            return;
        }
        if (!labs) {
            throw error("device feature is only supported in Dockerfile frontend 1.14.0-labs or later");
        }
        for (Device device : run.devices()) {
            if (device.required()) {
                throw error("required device " + GoQuote.quote(device.name()) + " is not registered");
            }
        }
    }

    private static DockerfileException error(String reason) {
        return new DockerfileException(null, null, reason);
    }
}
