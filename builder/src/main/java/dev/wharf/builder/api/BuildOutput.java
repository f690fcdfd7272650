package dev.wharf.builder.api;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a build's result goes ({@code -o/--output}): {@code image} tags it into the local store (the default),
 * {@code oci} writes an OCI image layout as a tarball at {@code dest} (as BuildKit's oci exporter by default), or
 * as a directory with {@code tar=false}, {@code docker} a tarball for
 * {@code docker load} (Docker's {@code manifest.json} plus an OCI layout, as {@code docker save} writes since
 * Docker 25), {@code local} the final root filesystem into the directory {@code dest}, {@code tar} that root
 * filesystem as a tarball. {@code image} with {@code push} also pushes the image to the registries its names
 * (or the build's tags) say; {@code registry} is short for that, as in docker buildx. Pushed and exported images
 * ({@code image} with push, {@code oci}, {@code docker}) get their layers compressed as {@code compression} says
 * (gzip by default, as BuildKit), while the local store keeps them uncompressed.
 *
 * <p>Immutable and thread-safe.
 *
 * @param type  {@code image}, {@code oci}, {@code docker}, {@code local} or {@code tar} ({@code registry} is
 *              turned into {@code image} with {@code push})
 * @param dest  the destination directory or file (not used by {@code image})
 * @param names {@code name=}: the image's names ({@code image} only); empty means the build's tags
 * @param push  {@code push=true}: push the image to its names' registries ({@code image} only)
 * @param compression how pushed or exported layers are compressed ({@code compression=},
 *              {@code compression-level=}, {@code force-compression=}); not for {@code local} and {@code tar}
 * @param tar   {@code oci} only: write the layout as a tarball ({@code tar=true}, what {@link #parse} makes by
 *              default, as BuildKit's {@code exporter/oci}) rather than a directory; {@code docker} is always a
 *              tarball
 * @param annotations the output's own annotations ({@code annotation.KEY=VALUE}, {@code annotation-manifest...},
 *              {@code annotation-manifest-descriptor...}, {@code annotation-index...}, as BuildKit's image
 *              exporters take them), added to the request's {@code --annotation}s for this output's image; outputs
 *              of files ({@code local}, {@code tar}) take and ignore them, as BuildKit's do
 * @param ociMediaTypes {@code oci-mediatypes=}: whether the pushed or exported image's manifest, config, index and
 *              layers carry OCI media types rather than Docker's (schema 2, manifest list); empty means the
 *              exporter's default ({@link #ociTypes()}). Outputs of files take and ignore it, as BuildKit's do.
 * @param rewriteTimestamp {@code rewrite-timestamp=}: whether a build with {@code SOURCE_DATE_EPOCH} clamps the
 *              times in the layers it wrote to the epoch ({@link #clampsLayers()}); images only
 */
public record BuildOutput(String type, Optional<Path> dest, java.util.List<String> names, boolean push,
                          OutputCompression compression, boolean tar, java.util.List<ImageAnnotation> annotations,
                          Optional<Boolean> ociMediaTypes, Optional<Boolean> rewriteTimestamp) {
    public BuildOutput {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(dest, "dest");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(ociMediaTypes, "ociMediaTypes");
        Objects.requireNonNull(rewriteTimestamp, "rewriteTimestamp");
        names = java.util.List.copyOf(names);
        annotations = java.util.List.copyOf(annotations);
        if (type.equals("registry")) {
            type = "image";
            push = true;
        }
        if (type.equals("cacheonly")) {
            // BuildKit has this exporter (it exports only the cache); wharf's cache stays in its store.
            throw new IllegalArgumentException("output type cacheonly is not supported by wharf");
        }
        if (!java.util.List.of("image", "oci", "docker", "local", "tar").contains(type)) {
            // BuildKit's words (solver: exporter %q could not be found); wharf's are image, registry, oci, docker,
            // local and tar.
            throw new IllegalArgumentException("exporter \"" + type + "\" could not be found");
        }
        // exporter/oci (oci and docker) names the image in its archive as the image exporter names it; the root
        // filesystem exporters make no image.
        boolean named = type.equals("image") || type.equals("oci") || type.equals("docker");
        if ((!type.equals("image") && push) || (!named && !names.isEmpty())) {
            throw new IllegalArgumentException("output type " + type + " takes no name= or push=");
        }
        if (!type.equals("image") && dest.isEmpty()) {
            throw new IllegalArgumentException("output type " + type + " needs dest=PATH");
        }
        if (!named && rewriteTimestamp.isPresent()) {
            throw new IllegalArgumentException("output type " + type + " takes no rewrite-timestamp= option: it "
                    + "writes files, not image layers");
        }
        if (type.equals("docker") && !tar) {
            throw new IllegalArgumentException("output type docker is always a tarball: tar=false is not supported");
        }
    }

    /** An output with wharf's default of clamping layer times ({@link #clampsLayers()}). */
    public BuildOutput(String type, Optional<Path> dest, java.util.List<String> names, boolean push,
                       OutputCompression compression, boolean tar, java.util.List<ImageAnnotation> annotations,
                       Optional<Boolean> ociMediaTypes) {
        this(type, dest, names, push, compression, tar, annotations, ociMediaTypes, Optional.empty());
    }

    /** An output with its exporter's default media types. */
    public BuildOutput(String type, Optional<Path> dest, java.util.List<String> names, boolean push,
                       OutputCompression compression, boolean tar, java.util.List<ImageAnnotation> annotations) {
        this(type, dest, names, push, compression, tar, annotations, Optional.empty());
    }

    /**
     * The names an oci or docker output gives its image: buildx hands such an exporter the {@code -t} names as its
     * {@code name} when there are any (build/opt.go, overriding {@code name=}), else its own {@code name=}.
     */
    public java.util.List<String> archiveNames(java.util.List<String> tags) {
        return tags.isEmpty() ? names : java.util.List.copyOf(tags);
    }

    /** An output without annotations of its own. */
    public BuildOutput(String type, Optional<Path> dest, java.util.List<String> names, boolean push,
                       OutputCompression compression, boolean tar) {
        this(type, dest, names, push, compression, tar, java.util.List.of());
    }

    /**
     * An output of the Java API: {@code oci} is a layout directory here (as before {@code tar=} existed),
     * {@code docker} a tarball.
     */
    public BuildOutput(String type, Optional<Path> dest, java.util.List<String> names, boolean push,
                       OutputCompression compression) {
        this(type, dest, names, push, compression, !"oci".equals(type));
    }

    /** An output with the default compression (gzip). */
    public BuildOutput(String type, Optional<Path> dest, java.util.List<String> names, boolean push) {
        this(type, dest, names, push, OutputCompression.defaults());
    }

    /** An output without names or push. */
    public BuildOutput(String type, Optional<Path> dest) {
        this(type, dest, java.util.List.of(), false);
    }

    /** Returns a copy whose layers are compressed as {@code value} says. */
    public BuildOutput withCompression(OutputCompression value) {
        return new BuildOutput(type, dest, names, push, value, tar, annotations, ociMediaTypes, rewriteTimestamp);
    }

    /** Returns a copy with {@code values} as its own annotations. */
    public BuildOutput withAnnotations(java.util.List<ImageAnnotation> values) {
        return new BuildOutput(type, dest, names, push, compression, tar, values, ociMediaTypes, rewriteTimestamp);
    }

    /** Returns a copy whose image uses OCI media types ({@code true}) or Docker's ({@code false}). */
    public BuildOutput withOciMediaTypes(boolean value) {
        return new BuildOutput(type, dest, names, push, compression, tar, annotations, Optional.of(value),
                rewriteTimestamp);
    }

    /** Returns a copy with {@code rewrite-timestamp=value}. */
    public BuildOutput withRewriteTimestamp(boolean value) {
        return new BuildOutput(type, dest, names, push, compression, tar, annotations, ociMediaTypes,
                Optional.of(value));
    }

    /**
     * Whether a build with {@code SOURCE_DATE_EPOCH} clamps the times of the files in the layers it wrote to the
     * epoch: {@code rewrite-timestamp=} when given, else true. BuildKit's default is false, but wharf's contract
     * (issue #6: the same digest on any machine) clamps by default; with {@code false} the layers keep their files'
     * times and only the config and history are dated at the epoch, as BuildKit without the option.
     */
    public boolean clampsLayers() {
        return rewriteTimestamp.orElse(true);
    }

    /**
     * Whether this output's image carries OCI media types, before annotations are considered (those of an index or a
     * descriptor force them too, see the engine): {@code oci-mediatypes=} when given, else BuildKit's default of the
     * exporter, OCI for {@code oci} and Docker's for {@code image} (a push) and {@code docker}
     * ({@code exporter/containerimage} and {@code exporter/oci}, Variant). zstd layers turn OCI types on whatever
     * the option says: Docker's schema 2 has no zstd layer type (BuildKit 0.13's ImageCommitOpts.Load, "forcibly
     * turning on oci-mediatype mode for zstd").
     */
    public boolean ociTypes() {
        return compression.type() == OutputCompression.Type.ZSTD || ociMediaTypes.orElse(type.equals("oci"));
    }

    /**
     * Checks what buildx's {@code ParseExports} refuses while it reads the flags, before it sets up the progress
     * display: CSV that does not parse, a field without {@code =} ({@code invalid value FIELD}), no type. What it
     * leaves to the build (a local output without dest, an unknown type) is {@link #parse}'s to refuse.
     *
     * @throws IllegalArgumentException with buildx's words
     */
    public static void checkSyntax(String value) {
        java.util.List<String> fields = dev.wharf.grammar.go.GoCsv.fields(value);
        if (!value.startsWith("type=") && fields.size() == 1 && fields.get(0).equals(value)) {
            return;
        }
        boolean typed = false;
        for (String field : fields) {
            int eq = field.indexOf('=');
            if (eq < 0 && !field.trim().equalsIgnoreCase("force-compression")) {
                throw new IllegalArgumentException("invalid value " + field);
            }
            typed |= eq >= 0 && field.substring(0, eq).trim().equalsIgnoreCase("type");
        }
        if (!typed) {
            throw new IllegalArgumentException("type is required for output");
        }
    }

    /**
     * Parses docker's CSV form, e.g. {@code type=oci,dest=out} (with buildx's CSV quoting: {@code
     * type=oci,"annotation.x=a,b"}); a bare path means {@code type=local,dest=PATH}.
     *
     * @throws IllegalArgumentException when the value is malformed or names an unsupported type
     */
    public static BuildOutput parse(String value) {
        java.util.List<String> fields = dev.wharf.grammar.go.GoCsv.fields(value);
        // buildx ParseExports: one field that is the whole value and does not start with "type=" is a directory,
        // even with a '=' in it (-o dest=out writes to the directory "dest=out").
        if (!value.startsWith("type=") && fields.size() == 1 && fields.get(0).equals(value)) {
            return new BuildOutput("local", Optional.of(Path.of(value)));
        }
        String type = null;
        Path dest = null;
        java.util.List<String> names = new java.util.ArrayList<>();
        boolean push = false;
        java.util.Map<String, String> compression = new java.util.HashMap<>();
        Boolean tar = null;
        java.util.List<ImageAnnotation> annotations = new java.util.ArrayList<>();
        Boolean ociMediaTypes = null;
        Boolean rewriteTimestamp = null;
        // buildx util/buildflags/export.go reads the value as one CSV line (csvvalue.Fields): a field in double
        // quotes keeps its commas, e.g. "annotation.x=a,b".
        for (String field : fields) {
            if (field.trim().equalsIgnoreCase("force-compression")) {
                compression.put("force-compression", "");
                continue;
            }
            int eq = field.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("invalid value " + field); // buildx's words
            }
            String v = field.substring(eq + 1).trim();
            // Annotation keys keep their case (exptypes.ParseAnnotationKey matches them as written).
            Optional<ImageAnnotation> annotation = ImageAnnotation.exporterOption(field.substring(0, eq).trim(), v);
            if (annotation.isPresent()) {
                annotations.add(annotation.get());
                continue;
            }
            String key = field.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            switch (key) {
                case "type" -> type = v;
                case "dest" -> dest = Path.of(v);
                // BuildKit's image exporter splits its name on commas (exporter/containerimage/export.go), which
                // a quoted field keeps: "name=a,b" names two images.
                case "name" -> java.util.Arrays.stream(v.split(",")).filter(n -> !n.isEmpty()).forEach(names::add);
                case "push" -> push = parseBool(key, v);
                // exporter/oci: "tar" defaults to true, and an empty value means true too.
                case "tar" -> tar = v.isEmpty() || parseBool(key, v);
                case "compression", "compression-level", "force-compression" -> compression.put(key, v);
                // ImageCommitOpts.Load (0.13): an empty value means true.
                case "oci-mediatypes" -> ociMediaTypes = v.isEmpty() || parseBool(key, v);
                case "rewrite-timestamp" -> rewriteTimestamp = v.isEmpty() || parseBool(key, v);
                default -> throw new IllegalArgumentException("output option \"" + key + "\" is not supported");
            }
        }
        if (type == null) {
            throw new IllegalArgumentException("type is required for output"); // buildx's words
        }
        if (!compression.isEmpty() && (type.equals("local") || type.equals("tar"))) {
            throw new IllegalArgumentException("output type " + type + " takes no compression options: it writes "
                    + "files, not image layers");
        }
        if (tar != null && !type.equals("oci") && !type.equals("docker")) {
            throw new IllegalArgumentException("output type " + type + " takes no tar= option");
        }
        return new BuildOutput(type, Optional.ofNullable(dest), names, push,
                OutputCompression.parse(compression, "--output"), tar == null || tar,
                ImageAnnotation.lastOfEach(annotations), Optional.ofNullable(ociMediaTypes),
                Optional.ofNullable(rewriteTimestamp));
    }

    private static boolean parseBool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "t" -> true;
            case "false", "0", "f" -> false;
            default -> throw new IllegalArgumentException("output option " + key + "=" + value
                    + " is not true or false");
        };
    }
}
