package dev.wharf.builder.exec;

import dev.wharf.builder.plan.ImageConfig;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.Healthcheck;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Converts between the planner's {@link ImageConfig} and the image config's {@link ExecutionConfig} (plus the
 * image's author). Stateless and thread-safe.
 */
final class ConfigMapper {
    private ConfigMapper() {
    }

    /** The planner's view of a stored config. */
    static ImageConfig toPlan(ExecutionConfig config, String author) {
        Optional<dev.wharf.grammar.instructions.Healthcheck> health = Optional.ofNullable(config.healthcheck())
                .map(h -> new dev.wharf.grammar.instructions.Healthcheck(h.test(), orZero(h.interval()),
                        orZero(h.timeout()), orZero(h.startPeriod()), orZero(h.startInterval()), h.retries()));
        return new ImageConfig(config.env(), nullToEmpty(config.workingDir()), nullToEmpty(config.user()),
                config.shell(), config.onBuild(), config.labels(),
                config.entrypoint().isEmpty() ? Optional.empty() : Optional.of(config.entrypoint()),
                config.cmd().isEmpty() ? Optional.empty() : Optional.of(config.cmd()), config.argsEscaped(),
                config.exposedPorts(), config.volumes(), nullToEmpty(config.stopSignal()), health,
                author == null ? "" : author);
    }

    /** The stored form of a planned config. */
    static ExecutionConfig toImage(ImageConfig config) {
        ExecutionConfig.Builder b = ExecutionConfig.builder()
                .user(config.user())
                .exposedPorts(config.exposedPorts())
                .env(config.env())
                .entrypoint(config.entrypoint().orElse(List.of()))
                .cmd(config.cmd().orElse(List.of()))
                .volumes(config.volumes())
                .workingDir(config.workingDir())
                .labels(config.labels())
                .stopSignal(config.stopSignal())
                .argsEscaped(config.argsEscaped())
                .onBuild(config.onBuild())
                .shell(config.shell());
        config.healthcheck().ifPresent(h -> b.healthcheck(new Healthcheck(h.test(), h.interval(), h.timeout(),
                h.startPeriod(), h.startInterval(), h.retries())));
        return b.build();
    }

    private static Duration orZero(Duration d) {
        return d == null ? Duration.ZERO : d;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
