package dev.wharf.layers.layout;

/**
 * Whether this code runs as a GraalVM native image (the CLI's {@code -Pnative} build), where run-time class
 * generation (jnr-ffi) and {@code -D} options are not available. One reading of the property SubstrateVM sets, for
 * every module's fallbacks. Stateless.
 */
public final class NativeImage {
    private NativeImage() {
    }

    /** True in a native image's run time (not while the image is being built, nor on a JVM). */
    public static boolean isRuntime() {
        return "runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"));
    }
}
