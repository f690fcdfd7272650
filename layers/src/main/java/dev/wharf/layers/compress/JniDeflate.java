package dev.wharf.layers.compress;

import dev.wharf.layers.layout.NativeHelpers;
import dev.wharf.layers.posix.NativeLibraryCache;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@link LibDeflate.Calls} through wharf's own JNI library ({@code src/main/c/wharf-deflate.c}, compiled at package
 * time when gcc is there), which opens the host's libdeflate with dlopen. Preferred over the jnr-ffi binding: no jffi
 * set-up in a fresh JVM, and it works in the CLI's native image, where jnr-ffi cannot. Stateless, thread-safe.
 */
final class JniDeflate implements LibDeflate.Calls {
    /** The library's resource name under {@code native/linux-<arch>/} beside this class (see build-jni.sh). */
    static final String LIBRARY = "libwharf-deflate.so";

    private static final JniDeflate INSTANCE = new JniDeflate();

    private JniDeflate() {
    }

    /** Loaded and libdeflate found once per JVM (a class initialiser runs once; a failed load stays failed). */
    private static final class Library {
        static final boolean LOADED = load();

        private Library() {
        }

        private static boolean load() {
            try {
                Optional<Path> lib = NativeHelpers.install(JniDeflate.class, LIBRARY, NativeLibraryCache.directory());
                if (lib.isEmpty()) {
                    return false;
                }
                System.load(lib.get().toString());
                return open() == 1;
            } catch (IOException | RuntimeException | LinkageError e) {
                System.getLogger(JniDeflate.class.getName()).log(System.Logger.Level.DEBUG,
                        "wharf's libdeflate JNI library not loaded: {0}", e.toString());
                return false;
            }
        }
    }

    /** The binding, or empty when the library is not packaged for here, does not load, or libdeflate is missing. */
    static Optional<LibDeflate.Calls> load() {
        return Library.LOADED ? Optional.of(INSTANCE) : Optional.empty();
    }

    private static native int open();

    private static native long alloc(int level);

    private static native long bound(long compressor, long inBytes);

    private static native long compress(long compressor, ByteBuffer in, long inBytes, ByteBuffer out,
            long outAvailable);

    private static native void free(long compressor);

    @Override
    public long allocCompressor(int level) {
        return alloc(level);
    }

    @Override
    public long compressBound(long compressor, long inBytes) {
        return bound(compressor, inBytes);
    }

    @Override
    public long deflateCompress(long compressor, ByteBuffer in, long inBytes, ByteBuffer out, long outAvailable) {
        return compress(compressor, in, inBytes, out, outAvailable);
    }

    @Override
    public void freeCompressor(long compressor) {
        free(compressor);
    }
}
