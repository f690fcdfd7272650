package dev.wharf.builder.api;

import java.util.List;
import java.util.Objects;

/**
 * What a build of a target takes ({@code --call=outline}, BuildKit's {@code frontend.outline} subrequest,
 * frontend/subrequests/outline): the target stage's name and description, the build arguments it uses with their
 * values, and the secrets and ssh sockets its RUN steps mount, each list ordered by its Dockerfile line. Immutable
 * and thread-safe.
 *
 * @param name        the target stage's name, "" for an unnamed last stage
 * @param description the comment above the target's FROM that starts with its name, "" when none
 * @param args        the build arguments
 * @param secrets     the secrets
 * @param ssh         the ssh sockets
 * @param source      the Dockerfile's text (BuildKit's outline carries it as its {@code sources})
 */
public record BuildOutline(String name, String description, List<Arg> args, List<Mounted> secrets,
                           List<Mounted> ssh, String source) {
    public BuildOutline {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        args = List.copyOf(args);
        secrets = List.copyOf(secrets);
        ssh = List.copyOf(ssh);
    }

    /**
     * A build argument.
     *
     * @param name        its name
     * @param value       its value: a {@code --build-arg}, else its default expanded, "" when none
     * @param description the comment above its ARG that starts with its name, "" when none
     * @param line        the first line of its ARG
     * @param endLine     the last line of its ARG (its {@code location} in BuildKit's JSON spans both)
     */
    public record Arg(String name, String value, String description, int line, int endLine) {
        public Arg {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(description, "description");
        }
    }

    /**
     * A secret or ssh socket a RUN step mounts.
     *
     * @param id       its id
     * @param required whether the mount says {@code required}
     * @param line     the first line of the first RUN that mounts it
     * @param endLine  the last line of that RUN
     */
    public record Mounted(String id, boolean required, int line, int endLine) {
        public Mounted {
            Objects.requireNonNull(id, "id");
        }
    }
}
