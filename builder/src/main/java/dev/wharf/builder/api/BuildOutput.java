package dev.wharf.builder.api;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a build's result goes ({@code -o/--output}): {@code image} tags it into the local store (the default),
 * {@code oci} writes an OCI image layout directory at {@code dest}, {@code docker} a tarball for
 * {@code docker load} (Docker's {@code manifest.json} plus an OCI layout, as {@code docker save} writes since
 * Docker 25), {@code local} the final root filesystem into the directory {@code dest}, {@code tar} that root
 * filesystem as a tarball.
 *
 * <p>Immutable and thread-safe.
 *
 * @param type {@code image}, {@code oci}, {@code docker}, {@code local} or {@code tar}
 * @param dest the destination directory or file (not used by {@code image})
 */
public record BuildOutput(String type, Optional<Path> dest) {
    public BuildOutput {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(dest, "dest");
        if (!java.util.List.of("image", "oci", "docker", "local", "tar").contains(type)) {
            throw new IllegalArgumentException("unknown output type \"" + type
                    + "\"; use image, oci, docker, local or tar");
        }
        if (!type.equals("image") && dest.isEmpty()) {
            throw new IllegalArgumentException("output type " + type + " needs dest=PATH");
        }
    }

    /**
     * Parses docker's CSV form, e.g. {@code type=oci,dest=out}; a bare path means {@code type=local,dest=PATH}.
     *
     * @throws IllegalArgumentException when the value is malformed or names an unsupported type
     */
    public static BuildOutput parse(String value) {
        if (!value.contains("=")) {
            return new BuildOutput("local", Optional.of(Path.of(value)));
        }
        String type = null;
        Path dest = null;
        for (String field : value.split(",")) {
            int eq = field.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("output field \"" + field + "\" is not KEY=VALUE");
            }
            String key = field.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String v = field.substring(eq + 1).trim();
            switch (key) {
                case "type" -> type = v;
                case "dest" -> dest = Path.of(v);
                case "name" -> { }
                default -> throw new IllegalArgumentException("output option \"" + key + "\" is not supported");
            }
        }
        if (type == null) {
            throw new IllegalArgumentException("output \"" + value + "\" has no type=");
        }
        return new BuildOutput(type, Optional.ofNullable(dest));
    }
}
