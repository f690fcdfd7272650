package dev.wharf.context.sources;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a named build context ({@code --build-context NAME=VALUE}) refers to. Parsing only: resolving an image or an
 * OCI layout is the engine's job. All variants are immutable records.
 */
public sealed interface NamedContextSource {

    /** A local directory, used like the main context. */
    record Local(Path directory) implements NamedContextSource {
        public Local {
            Objects.requireNonNull(directory, "directory");
        }
    }

    /** A git repository ({@code https://host/repo.git#ref:dir}, {@code git@host:repo.git}, {@code git://}). */
    record Git(GitRemote remote) implements NamedContextSource {
        public Git {
            Objects.requireNonNull(remote, "remote");
        }
    }

    /** An http(s) URL that is not a git repository (a remote tarball); BuildKit fetches it. */
    record Url(String url) implements NamedContextSource {
        public Url {
            Objects.requireNonNull(url, "url");
        }
    }

    /**
     * An image ({@code docker-image://alpine:3.20}); {@code reference} is as written, already checked to parse as a
     * normalized name ({@code scratch} means an empty filesystem, as in BuildKit's EmptyImageName).
     */
    record DockerImage(String reference) implements NamedContextSource {
        public DockerImage {
            Objects.requireNonNull(reference, "reference");
        }

        /** Whether this is {@code scratch}, an empty filesystem. */
        public boolean isScratch() {
            return reference.equals("scratch");
        }
    }

    /**
     * An image in a local OCI layout ({@code oci-layout://DIR[:TAG][@sha256:HEX]}); without a digest the engine
     * resolves {@code tag} (default {@code latest}) in the layout's index, as buildx does.
     */
    record OciLayout(Path directory, String tag, Optional<String> digest) implements NamedContextSource {
        public OciLayout {
            Objects.requireNonNull(directory, "directory");
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(digest, "digest");
        }
    }
}
