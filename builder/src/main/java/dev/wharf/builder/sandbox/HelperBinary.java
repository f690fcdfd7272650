package dev.wharf.builder.sandbox;

import dev.wharf.layers.layout.NativeHelpers;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The native sandbox helper ({@code src/main/c/wharf-sandbox.c}), compiled by the build when gcc is there and
 * packaged as the resource {@code native/linux-<arch>/wharf-sandbox} beside this class, installed by
 * {@link NativeHelpers} into a state directory under a name that carries its digest. Without the resource (no gcc
 * at build time, another architecture) the built-in sandbox keeps its shell path. Stateless.
 */
final class HelperBinary {
    static final String NAME = "wharf-sandbox";

    private HelperBinary() {
    }

    /** The resource path of the helper for this JVM's architecture. */
    static String resource() {
        return NativeHelpers.resource(NAME);
    }

    /**
     * The helper, installed in {@code dir} (made if missing); empty when this build of wharf has none for this
     * architecture or it cannot be written there.
     */
    static Optional<Path> install(Path dir) {
        return NativeHelpers.install(HelperBinary.class, NAME, dir);
    }
}
