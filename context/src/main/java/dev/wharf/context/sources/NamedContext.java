package dev.wharf.context.sources;

import dev.wharf.context.ContextException;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.InvalidReferenceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A named build context, {@code --build-context NAME=VALUE}, parsed and checked as buildx does (buildflags {@code
 * ParseContextNames}, build {@code LoadInputs}) with the value's forms as BuildKit's frontend reads them
 * (dockerui/namedcontext.go): {@code docker-image://REF}, {@code oci-layout://DIR[:TAG][@sha256:...]}, a git URL, an
 * http(s) URL, or a local directory. The name is normalized like an image name ({@code docker.io/library/foo:latest}
 * and {@code foo} are the same context). Immutable and thread-safe.
 *
 * @param name the familiar name, without {@code :latest}
 * @param source what the name refers to
 */
public record NamedContext(String name, NamedContextSource source) {

    private static final String DOCKER_IMAGE = "docker-image://";
    private static final String OCI_LAYOUT = "oci-layout://";

    public NamedContext {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
    }

    /**
     * Parses all {@code --build-context} values; a later value for the same name replaces an earlier one (a Go map
     * in buildx). Relative local paths are resolved against {@code base}.
     *
     * @throws ContextException with buildx's wording for the first bad value
     */
    public static Map<String, NamedContext> parseAll(List<String> values, Path base) throws ContextException {
        Map<String, NamedContext> out = new LinkedHashMap<>();
        for (String v : values) {
            NamedContext c = parse(v, base);
            out.put(c.name(), c);
        }
        return out;
    }

    /**
     * Parses one {@code NAME=VALUE}. A local directory is checked to exist (buildx stats it when loading inputs).
     *
     * @throws ContextException with buildx's or BuildKit's wording when the value is malformed
     */
    public static NamedContext parse(String value, Path base) throws ContextException {
        int eq = value.indexOf('=');
        if (eq < 0) {
            throw new ContextException("invalid context value: " + value + ", expected key=value");
        }
        String rawName = value.substring(0, eq);
        String spec = value.substring(eq + 1);
        String name;
        try {
            name = ImageReference.parse(rawName).familiar();
        } catch (InvalidReferenceException e) {
            throw new ContextException("invalid context name " + rawName + ": " + e.getMessage(), e);
        }
        if (name.endsWith(":latest")) {
            name = name.substring(0, name.length() - ":latest".length());
        }
        return new NamedContext(name, source(name, spec, base));
    }

    private static NamedContextSource source(String name, String spec, Path base) throws ContextException {
        if (spec.startsWith(DOCKER_IMAGE)) {
            // Not parsed here: buildx passes the value on and the frontend parses it only when a FROM, COPY --from
            // or mount uses the name (namedcontext.go), so an unused bad reference builds (buildx 0.13.1).
            return new NamedContextSource.DockerImage(spec.substring(DOCKER_IMAGE.length()));
        }
        if (spec.startsWith(OCI_LAYOUT)) {
            return ociLayout(spec.substring(OCI_LAYOUT.length()), base);
        }
        if (GitRemote.looksLikeGitUrl(spec)) {
            return new NamedContextSource.Git(GitRemote.parse(spec));
        }
        if (spec.startsWith("http://") || spec.startsWith("https://")) {
            return new NamedContextSource.Url(spec);
        }
        // Any other scheme (bogus://x) is a local path to buildx 0.13 (build/build.go LoadInputs passes only http(s),
        // git, docker-image:// and target: on), so it fails os.Stat as a missing directory does.
        Path dir = base.resolve(spec);
        if (!Files.exists(dir)) {
            throw new ContextException("failed to get build context " + name + ": stat " + spec
                    + ": no such file or directory");
        }
        if (!Files.isDirectory(dir)) {
            throw new ContextException("failed to get build context path " + spec + ": not a directory");
        }
        return new NamedContextSource.Local(dir);
    }

    /** buildx: cut at "@" for the digest, then at ":" for the tag (default latest). */
    private static NamedContextSource ociLayout(String rest, Path base) throws ContextException {
        int at = rest.indexOf('@');
        String pathAndTag = at < 0 ? rest : rest.substring(0, at);
        Optional<String> digest = at < 0 ? Optional.empty() : Optional.of(rest.substring(at + 1));
        int colon = pathAndTag.indexOf(':');
        String dir = colon < 0 ? pathAndTag : pathAndTag.substring(0, colon);
        String tag = colon < 0 ? "latest" : pathAndTag.substring(colon + 1);
        if (dir.isEmpty()) {
            throw new ContextException("invalid oci-layout context " + OCI_LAYOUT + rest + ": no directory");
        }
        if (digest.isPresent()) {
            checkDigest(digest.get());
        }
        return new NamedContextSource.OciLayout(base.resolve(dir), tag, digest);
    }

    /** opencontainers/go-digest Digest.Validate, with its error texts. */
    private static void checkDigest(String d) throws ContextException {
        Optional<String> problem = DigestFormat.problem(d);
        if (problem.isPresent()) {
            throw new ContextException(problem.get());
        }
    }
}
