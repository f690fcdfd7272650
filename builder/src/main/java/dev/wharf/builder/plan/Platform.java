package dev.wharf.builder.plan;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.go.GoQuote;
import java.util.Locale;
import java.util.Objects;

/**
 * An OCI platform ({@code os/architecture[/variant]}), normalized the way containerd's {@code platforms.Normalize}
 * does for the common spellings ({@code x86_64} is {@code amd64}, {@code aarch64} is {@code arm64}, {@code arm}
 * defaults to {@code v7}).
 *
 * <p>Immutable and thread-safe.
 */
public record Platform(String os, String architecture, String variant) {

    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(variant, "variant");
    }

    /** A normalized platform from its parts. */
    public static Platform of(String os, String architecture, String variant) {
        return normalize(os, architecture, variant);
    }

    /**
     * Parses {@code os[/arch[/variant]]} (or a bare architecture), filling missing parts from {@code defaults}:
     * containerd's {@code platforms.Parse}.
     *
     * @throws DockerfileException (unlocated) when the specifier is malformed
     */
    public static Platform parse(String specifier, Platform defaults) throws DockerfileException {
        Objects.requireNonNull(specifier, "specifier");
        Objects.requireNonNull(defaults, "defaults");
        String[] parts = specifier.split("/", -1);
        for (String part : parts) {
            if (!part.matches("[A-Za-z0-9_-]+")) {
                // containerd 1.7's words (platforms.Parse, specifierRe), as BuildKit 0.13 passes them on.
                throw new DockerfileException(null, null, GoQuote.quote(part) + " is an invalid component of "
                        + GoQuote.quote(specifier) + ": platform specifier component must match "
                        + "\"^[A-Za-z0-9_-]+$\": invalid argument");
            }
        }
        switch (parts.length) {
            case 1 -> {
                String value = parts[0].toLowerCase(Locale.ROOT);
                if (isKnownOs(value)) {
                    return normalize(value, defaults.architecture(), defaults.variant());
                }
                Platform architecture = normalize(defaults.os(), value, "");
                if (!isKnownArchitecture(architecture.architecture())) {
                    // A single word is an OS or an architecture; containerd refuses one it knows as neither.
                    throw new DockerfileException(null, null, GoQuote.quote(specifier)
                            + ": unknown operating system or architecture: invalid argument");
                }
                return architecture;
            }
            case 2 -> {
                return normalize(parts[0], parts[1], "");
            }
            case 3 -> {
                return normalize(parts[0], parts[1], parts[2]);
            }
            default -> throw new DockerfileException(null, null,
                    GoQuote.quote(specifier) + ": cannot parse platform specifier: invalid argument");
        }
    }

    /** {@code os/arch[/variant]}: containerd's {@code platforms.Format}. */
    public String format() {
        return variant.isEmpty() ? os + "/" + architecture : os + "/" + architecture + "/" + variant;
    }

    @Override
    public String toString() {
        return format();
    }

    private static boolean isKnownOs(String os) {
        return switch (os) {
            case "linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "android",
                 "ios", "aix", "dragonfly", "plan9", "js", "wasip1", "macos" -> true;
            default -> false;
        };
    }

    /** containerd's {@code isKnownArch}: Go's GOARCH values. */
    private static boolean isKnownArchitecture(String architecture) {
        return switch (architecture) {
            case "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le", "loong64",
                 "mips", "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64",
                 "s390", "s390x", "sparc", "sparc64", "wasm" -> true;
            default -> false;
        };
    }

    private static Platform normalize(String os, String arch, String variant) {
        String o = os.toLowerCase(Locale.ROOT);
        if (o.equals("macos")) {
            o = "darwin";
        }
        String a = arch.toLowerCase(Locale.ROOT);
        String v = variant.toLowerCase(Locale.ROOT);
        switch (a) {
            case "i386" -> {
                a = "386";
                v = "";
            }
            case "x86_64", "x86-64", "amd64" -> {
                a = "amd64";
                if (v.equals("v1")) {
                    v = "";
                }
            }
            case "aarch64", "arm64" -> {
                a = "arm64";
                if (v.equals("8") || v.equals("v8") || v.equals("v8.0")) {
                    v = "";
                }
            }
            case "armhf" -> {
                a = "arm";
                v = "v7";
            }
            case "armel" -> {
                a = "arm";
                v = "v6";
            }
            case "arm" -> {
                if (v.isEmpty() || v.equals("7")) {
                    v = "v7";
                } else if (v.equals("5") || v.equals("6") || v.equals("8")) {
                    v = "v" + v;
                }
            }
            default -> {
            }
        }
        return new Platform(o, a, v);
    }
}
