package dev.wharf.layers.registry;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Platform;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks the manifest of an index that runs on a platform, as containerd's {@code platforms.Only} does: OS and
 * architecture must match after normalization ({@code x86_64} is {@code amd64}, {@code aarch64} is {@code arm64});
 * an absent variant means the architecture's default ({@code v8} for arm64, {@code v7} for arm); an arm/v7 host also
 * runs v6 and v5 images, preferring the closest. Entries without a platform or with {@code unknown/unknown}
 * (BuildKit's attestation manifests) never match.
 *
 * <p>Immutable and thread-safe.
 */
public final class PlatformMatcher {
    private final Platform wanted;

    /** Makes a matcher for the given platform. */
    public PlatformMatcher(Platform wanted) {
        this.wanted = normalize(wanted);
    }

    /** Returns the best matching manifest descriptor of an index, or empty if none runs on the platform. */
    public Optional<Descriptor> select(List<Descriptor> manifests) {
        Descriptor best = null;
        int bestRank = Integer.MAX_VALUE;
        for (Descriptor candidate : manifests) {
            if (candidate.platform() == null) {
                continue;
            }
            int rank = rank(normalize(candidate.platform()));
            if (rank < bestRank) {
                best = candidate;
                bestRank = rank;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Tells whether a platform runs on the wanted one. */
    public boolean matches(Platform candidate) {
        return rank(normalize(candidate)) != Integer.MAX_VALUE;
    }

    /** 0 for an exact match, n for the n-th older compatible variant, MAX_VALUE for no match. */
    private int rank(Platform candidate) {
        if (!candidate.os().equals(wanted.os()) || !candidate.architecture().equals(wanted.architecture())) {
            return Integer.MAX_VALUE;
        }
        String want = orEmpty(wanted.variant());
        String have = orEmpty(candidate.variant());
        if (want.equals(have)) {
            return 0;
        }
        if (wanted.architecture().equals("arm") && want.startsWith("v") && have.startsWith("v")) {
            try {
                int w = Integer.parseInt(want.substring(1));
                int h = Integer.parseInt(have.substring(1));
                if (h < w && h >= 5) {
                    return w - h;
                }
            } catch (NumberFormatException e) {
                return Integer.MAX_VALUE;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** containerd's platforms.Normalize, reduced to the cases images use. */
    static Platform normalize(Platform p) {
        String os = p.os().toLowerCase(Locale.ROOT);
        String arch = p.architecture().toLowerCase(Locale.ROOT);
        String variant = p.variant() == null ? "" : p.variant().toLowerCase(Locale.ROOT);
        switch (arch) {
            case "x86_64", "x86-64" -> {
                arch = "amd64";
                variant = variant.equals("v1") ? "" : variant;
            }
            case "amd64" -> variant = variant.equals("v1") ? "" : variant;
            case "aarch64", "arm64" -> {
                arch = "arm64";
                variant = variant.isEmpty() || variant.equals("8") ? "v8" : variant;
            }
            case "armhf" -> {
                arch = "arm";
                variant = "v7";
            }
            case "armel" -> {
                arch = "arm";
                variant = "v6";
            }
            case "arm" -> variant = switch (variant) {
                case "", "7" -> "v7";
                case "5", "6", "8" -> "v" + variant;
                default -> variant;
            };
            case "i386" -> arch = "386";
            default -> { }
        }
        return new Platform(arch, os, p.osVersion(), p.osFeatures(), variant.isEmpty() ? null : variant);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
