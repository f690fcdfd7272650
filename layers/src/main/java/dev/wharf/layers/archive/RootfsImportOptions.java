package dev.wharf.layers.archive;

import dev.wharf.layers.Platform;
import dev.wharf.layers.compress.LayerCompression;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings of {@link RootfsImporter}: the layer's compression, the platform the config declares, and the times and
 * comment of the config and its one history entry.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param compression how the layer blob is compressed
 * @param platform the os and architecture written into the config
 * @param created the creation time of the config and the history entry, or null to leave it out (then equal
 *     tarballs give equal image IDs, whenever they are imported)
 * @param comment the history comment, or null for {@code imported from <file name>}
 */
public record RootfsImportOptions(LayerCompression compression, Platform platform, OffsetDateTime created,
        String comment) {
    /** Validates. */
    public RootfsImportOptions {
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(platform, "platform");
    }

    /** gzip at the default level on all cores, the host's platform, no creation time, the default comment. */
    public static RootfsImportOptions defaults() {
        return new RootfsImportOptions(
                LayerCompression.gzip(LayerCompression.DEFAULT_GZIP_LEVEL, Runtime.getRuntime().availableProcessors()),
                hostPlatform(), null, null);
    }

    /** Returns a copy with another compression. */
    public RootfsImportOptions withCompression(LayerCompression value) {
        return new RootfsImportOptions(value, platform, created, comment);
    }

    /** Returns a copy with another creation time. */
    public RootfsImportOptions withCreated(OffsetDateTime value) {
        return new RootfsImportOptions(compression, platform, value, comment);
    }

    /** Returns a copy with another history comment. */
    public RootfsImportOptions withComment(String value) {
        return new RootfsImportOptions(compression, platform, created, value);
    }

    /** Returns a copy with another platform. */
    public RootfsImportOptions withPlatform(Platform value) {
        return new RootfsImportOptions(compression, value, created, comment);
    }

    /** Returns the platform of this JVM's host in GOOS/GOARCH terms, e.g. {@code linux/amd64}. */
    public static Platform hostPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String goos = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "darwin"
                : os.startsWith("windows") ? "windows" : os;
        String goarch = switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> arch.startsWith("arm") ? "arm" : arch;
        };
        return Platform.of(goos, goarch);
    }
}
