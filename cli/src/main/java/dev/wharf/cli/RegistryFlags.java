package dev.wharf.cli;

import dev.wharf.builder.api.RegistrySettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The registry options of {@code build}, {@code pull} and {@code push}: credentials come from Docker's config file
 * ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}, as {@code docker login} writes it), and
 * plain HTTP is allowed for loopback registries and those named with {@code --insecure-registry} or in
 * {@code $WHARF_INSECURE_REGISTRIES} (comma-separated), like dockerd's {@code insecure-registries}.
 */
final class RegistryFlags {
    /** The environment variable naming insecure registries, comma-separated. */
    static final String INSECURE_ENV = "WHARF_INSECURE_REGISTRIES";

    /** The mixin's key in a command's model (the field name it had as an annotated mixin). */
    static final String MIXIN = "registry";

    private final List<String> insecure;

    RegistryFlags(List<String> insecure) {
        this.insecure = List.copyOf(insecure);
    }

    /** The model of the mixin: {@code --insecure-registry}. */
    static CommandSpec mixin() {
        CommandSpec mixin = CommandModel.emptySpec();
        mixin.addOption(CommandModel.list("HOST[:PORT]", "--insecure-registry")
                .description("Reach this registry over plain HTTP (repeatable; also $" + INSECURE_ENV
                        + ", comma-separated). Loopback registries always may be.")
                .build());
        return mixin;
    }

    /** What {@code spec}'s {@code --insecure-registry} options were given. */
    static RegistryFlags of(CommandSpec spec) {
        return new RegistryFlags(CommandModel.value(spec, "--insecure-registry"));
    }

    /** The registry settings these flags and the environment select; the environment is read here. */
    RegistrySettings settings() {
        return settings(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    RegistrySettings settings(Map<String, String> environment, Path home) {
        RegistrySettings settings = RegistrySettings.defaults(environment, home);
        List<String> all = new ArrayList<>(insecure);
        String fromEnv = environment.get(INSECURE_ENV);
        if (fromEnv != null) {
            for (String host : fromEnv.split(",")) {
                if (!host.isBlank()) {
                    all.add(host.trim());
                }
            }
        }
        for (String host : all) {
            settings = settings.withInsecureRegistry(host);
        }
        return settings;
    }
}
