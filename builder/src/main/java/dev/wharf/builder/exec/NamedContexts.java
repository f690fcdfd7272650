package dev.wharf.builder.exec;

import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.plan.NamedContextRef;
import dev.wharf.context.ContextException;
import dev.wharf.context.sources.GitContextSource;
import dev.wharf.context.sources.HttpDownloader;
import dev.wharf.context.sources.NamedContext;
import dev.wharf.context.sources.NamedContextSource;
import dev.wharf.context.sources.OpenedContext;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.archive.ArchiveImporter;
import dev.wharf.layers.store.LocalStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The named contexts of one build ({@code --build-context}): what the planner sees of each ({@link
 * NamedContextRef}: an image reference, or files), and the files of the others, opened on first use and closed
 * with the build, as BuildKit's dockerui {@code NamedContext.Load} does:
 *
 * <ul>
 *   <li>a local directory is read in place with its own {@code .dockerignore} and owners reset to 0, like the main
 *   context;</li>
 *   <li>a git URL's ref is resolved to a commit on first use and cloned with depth 1 ({@code #ref:subdir}) only
 *   when a step needs its files: a COPY whose content checksum was taken from the same commit before is keyed
 *   without a clone ({@link GitChecksums});</li>
 *   <li>an http(s) URL is downloaded, not extracted: the context is one file named {@code context} (dockerui's
 *   {@code llb.HTTP(url, llb.Filename("context"))});</li>
 *   <li>{@code docker-image://REF} goes to the planner's image resolver, so it resolves (and pulls) like a FROM;
 *   {@code oci-layout://} images are first loaded into the store's blobs (unnamed) and then resolved by
 *   digest.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
final class NamedContexts implements AutoCloseable {
    private final Map<String, NamedContext> contexts;
    private final Path workDir;
    private final HttpDownloader http;
    private final GitChecksums gitChecksums;
    private final Clock clock;
    private final Map<String, Path> secrets;
    private final Map<String, CopySources> opened = new HashMap<>();
    private final List<OpenedContext> owned = new ArrayList<>();

    NamedContexts(Map<String, NamedContext> contexts, Path workDir, HttpDownloader http, GitChecksums gitChecksums,
                  Clock clock) {
        this(contexts, workDir, http, gitChecksums, clock, Map.of());
    }

    /** With the build's secrets: a git context authenticates with GIT_AUTH_*, as llb.Git does in BuildKit. */
    NamedContexts(Map<String, NamedContext> contexts, Path workDir, HttpDownloader http, GitChecksums gitChecksums,
                  Clock clock, Map<String, Path> secrets) {
        this.secrets = Map.copyOf(secrets);
        this.contexts = Map.copyOf(contexts);
        this.workDir = workDir;
        this.http = http;
        this.gitChecksums = gitChecksums;
        this.clock = clock;
    }

    /**
     * Parses the request's {@code NAME=VALUE} pairs as buildx does, relative directories against {@code base} (the
     * request's {@link dev.wharf.builder.api.BuildRequest#namedContextBase()}); a later value of the same normalized
     * name wins.
     *
     * @throws EngineException naming the bad value
     */
    static Map<String, NamedContext> parse(Map<String, String> values, Path base) throws EngineException {
        Map<String, NamedContext> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> v : values.entrySet()) {
            String pair = v.getKey() + "=" + v.getValue();
            try {
                NamedContext c = NamedContext.parse(pair, base);
                out.put(c.name(), c);
            } catch (ContextException e) {
                throw new EngineException("--build-context " + pair + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * What the planner sees of every context; loads {@code oci-layout://} images into {@code store}.
     *
     * @throws LayerException when an OCI layout cannot be read or has no image of the tag or digest asked for
     */
    Map<String, NamedContextRef> planRefs(LocalStore store) throws LayerException {
        Map<String, NamedContextRef> out = new LinkedHashMap<>();
        for (NamedContext c : contexts.values()) {
            NamedContextSource source = c.source();
            if (source instanceof NamedContextSource.DockerImage image) {
                out.put(c.name(), new NamedContextRef.Image(image.reference()));
            } else if (source instanceof NamedContextSource.OciLayout layout) {
                Descriptor image = ArchiveImporter.into(store).importLayoutImage(layout.directory(), layout.tag(),
                        layout.digest().map(Digest::parse));
                // Resolved by digest in the local store, named after the context (dockerui's dummy reference).
                out.put(c.name(), new NamedContextRef.Image(c.name() + "@" + image.digest()));
            } else {
                out.put(c.name(), new NamedContextRef.Files());
            }
        }
        return out;
    }

    /**
     * The vertex BuildKit shows for the files of the context {@code name} where a stage starts from them
     * (namedcontext.go's custom names): {@code [context NAME] load from client} for a directory, {@code [context
     * NAME] URL} for a download; empty for a git context, whose vertex wharf shows as the stage's FROM.
     */
    Optional<String> filesVertex(String name) {
        NamedContext context = contexts.get(name);
        if (context == null) {
            return Optional.empty();
        }
        if (context.source() instanceof NamedContextSource.Local) {
            return Optional.of("load from client");
        }
        if (context.source() instanceof NamedContextSource.Url url) {
            return Optional.of(url.url());
        }
        return Optional.empty();
    }

    /** The directory of the context {@code name} when it is a local one. */
    Optional<Path> localDirectory(String name) {
        NamedContext context = contexts.get(name);
        return context != null && context.source() instanceof NamedContextSource.Local local
                ? Optional.of(local.directory()) : Optional.empty();
    }

    /**
     * The {@code docker-image://} contexts by their reference as given, each with its name: the metadata load of
     * such an image shows as {@code [context NAME] load metadata for REF}.
     */
    Map<String, String> imageReferences() {
        Map<String, String> out = new LinkedHashMap<>();
        for (NamedContext c : contexts.values()) {
            if (c.source() instanceof NamedContextSource.DockerImage image) {
                out.putIfAbsent(image.reference(), c.name());
            }
        }
        return out;
    }

    /**
     * The description BuildKit's source gives the ref of the context {@code name}'s files, which its image exporter
     * writes as the {@code created_by} of a layer no history entry describes: {@code local source for NAME} for a
     * directory (source/local), {@code git snapshot for REMOTE#REF} for git, {@code http url URL} for a download;
     * empty (so "created by buildkit") when unknown.
     */
    String layerNote(String name) {
        NamedContext context = contexts.get(name);
        if (context == null) {
            return "";
        }
        NamedContextSource source = context.source();
        if (source instanceof NamedContextSource.Local) {
            return "local source for " + name;
        }
        if (source instanceof NamedContextSource.Url url) {
            return "http url " + url.url();
        }
        return "";
    }

    /**
     * The reference as given of the {@code docker-image://} context a FROM, COPY --from or mount names as
     * {@code written}, for its vertex ({@code [context img] alpine:3.20}); empty when that is no such context.
     */
    Optional<String[]> imageVertex(String written) {
        String name;
        try {
            name = dev.wharf.layers.registry.ImageReference.parse(written).familiar();
        } catch (dev.wharf.layers.registry.InvalidReferenceException | RuntimeException e) {
            return Optional.empty();
        }
        if (name.endsWith(":latest")) {
            name = name.substring(0, name.length() - ":latest".length());
        }
        NamedContext context = contexts.get(name);
        return context != null && context.source() instanceof NamedContextSource.DockerImage image
                ? Optional.of(new String[] {"context " + name, image.reference()}) : Optional.empty();
    }

    /** The files of the context {@code name}, opening it on first use. */
    synchronized CopySources sources(String name) throws ContextException {
        CopySources existing = opened.get(name);
        if (existing != null) {
            return existing;
        }
        NamedContext context = contexts.get(name);
        if (context == null) {
            throw new IllegalStateException("no named context " + name);
        }
        CopySources created;
        NamedContextSource source = context.source();
        if (source instanceof NamedContextSource.Local local) {
            created = CopySources.context(local.directory(), true, Optional.empty(), clock);
        } else if (source instanceof NamedContextSource.Git git) {
            // Resolved now (ls-remote), cloned only when a step needs the files: a copy keyed before on this commit
            // needs none.
            GitContextSource clone = new GitContextSource(git.remote(), workDir, false, "git",
                    GitAuthSecrets.authorization(git.remote().remote(), secrets));
            GitContextSource.ResolvedRef pin = clone.resolveRef();
            boolean keepGitDir = git.remote().keepGitDir().orElse(false) && git.remote().subdir().isEmpty();
            created = CopySources.gitContext(() -> {
                OpenedContext opened = clone.open(pin);
                synchronized (this) {
                    owned.add(opened);
                }
                return opened.root();
            }, new GitChecksums.Scope(gitChecksums, "context", GitChecksums.sourceKey(git.remote(), pin, keepGitDir)),
                    clock);
        } else if (source instanceof NamedContextSource.Url url) {
            created = CopySources.context(download(url.url()), false, Optional.empty(), clock);
        } else {
            throw new IllegalStateException("named context " + name + " is an image, not files");
        }
        opened.put(name, created);
        return created;
    }

    private Path download(String url) throws ContextException {
        try {
            Files.createDirectories(workDir);
            Path dir = Files.createTempDirectory(workDir, "named-url-");
            Path file = dir.resolve("context");
            HttpDownloader.Download d = http.download(url, file, HttpAuthSecrets.authorization(url, secrets));
            Files.setLastModifiedTime(file, FileTime.from(d.lastModified().orElse(Instant.EPOCH)));
            return dir;
        } catch (IOException e) {
            throw new ContextException("cannot download " + url + " into " + workDir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContextException("interrupted while downloading " + url, e);
        }
    }

    @Override
    public synchronized void close() {
        for (OpenedContext c : owned) {
            c.close();
        }
        owned.clear();
    }
}
