package dev.wharf.builder.api;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a build's result goes ({@code -o/--output}): {@code image} tags it into the local store (the default),
 * {@code oci} writes an OCI image layout directory at {@code dest}, {@code local} writes the final root filesystem
 * into the directory {@code dest}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param type {@code image}, {@code oci} or {@code local}
 * @param dest the destination directory (not used by {@code image})
 */
public record BuildOutput(String type, Optional<Path> dest) {
    public BuildOutput {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(dest, "dest");
        if (!type.equals("image") && !type.equals("oci") && !type.equals("local")) {
            throw new IllegalArgumentException("unknown output type \"" + type + "\"; use image, oci or local");
        }
        if (!type.equals("image") && dest.isEmpty()) {
            throw new IllegalArgumentException("output type " + type + " needs dest=DIR");
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
