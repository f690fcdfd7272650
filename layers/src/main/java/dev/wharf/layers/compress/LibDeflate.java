package dev.wharf.layers.compress;

import dev.wharf.layers.layout.NativeImage;
import dev.wharf.layers.posix.JffiStubCache;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;

/**
 * The host's libdeflate (Debian package {@code libdeflate0}): whole-buffer raw deflate, about twice as fast as zlib
 * at level 6 with an equal or smaller output. It has no streaming API, so {@link ParallelGzipOutputStream}
 * compresses each block into a gzip member of its own. Two bindings: wharf's JNI library ({@link JniDeflate}, used
 * when it is packaged) and jnr-ffi ({@link #jnr}, where it is not; never in a native image).
 *
 * <p>Each binding is loaded once per JVM on first use and is stateless and thread-safe; a {@link Compressor} is not
 * thread-safe (one per worker at a time).
 */
final class LibDeflate {
    /** The system property that picks the deflate implementation: {@code libdeflate} (default if loadable), {@code zlib}. */
    static final String PROPERTY = "wharf.gzip.implementation";

    /** libdeflate's functions as a binding calls them, a compressor being an address (0: allocation failed). */
    interface Calls {
        long allocCompressor(int level);

        long compressBound(long compressor, long inBytes);

        /** Raw deflate of {@code in}'s first bytes into {@code out} (both direct); 0 when it did not fit. */
        long deflateCompress(long compressor, ByteBuffer in, long inBytes, ByteBuffer out, long outAvailable);

        void freeCompressor(long compressor);
    }

    /** The libdeflate functions used through jnr-ffi; signatures as in libdeflate 1.x's {@code libdeflate.h}. */
    public interface Lib {
        Pointer libdeflate_alloc_compressor(int level);

        @size_t long libdeflate_deflate_compress(Pointer compressor, @In ByteBuffer in, @size_t long inBytes,
                @Out ByteBuffer out, @size_t long outAvailable);

        @size_t long libdeflate_deflate_compress_bound(Pointer compressor, @size_t long inBytes);

        void libdeflate_free_compressor(Pointer compressor);
    }

    private LibDeflate() {
    }

    /** The jnr-ffi binding, loaded once; empty when the library is not installed or cannot be bound. */
    private static final class JnrBinding {
        static final Optional<Calls> CALLS = load();

        private JnrBinding() {
        }

        private static Optional<Calls> load() {
            System.Logger log = System.getLogger(LibDeflate.class.getName());
            JffiStubCache.use();
            // Without the -dev package there is no unversioned libdeflate.so, only the soname libdeflate.so.0.
            for (String name : new String[] {"libdeflate.so.0", "deflate"}) {
                try {
                    Lib lib = LibraryLoader.create(Lib.class).failImmediately().load(name);
                    log.log(Level.DEBUG, "gzip layers are compressed with libdeflate ({0}) through jnr-ffi", name);
                    return Optional.of(new JnrCalls(lib));
                } catch (LinkageError | RuntimeException e) {
                    log.log(Level.DEBUG, "libdeflate not loadable as {0}: {1}", name, e.toString());
                }
            }
            log.log(Level.DEBUG, "gzip layers are compressed with zlib (java.util.zip): libdeflate is not installed");
            return Optional.empty();
        }
    }

    /** {@link Calls} over the jnr-ffi interface: compressors travel as addresses, wrapped back per call. */
    private record JnrCalls(Lib lib) implements Calls {
        @Override
        public long allocCompressor(int level) {
            Pointer compressor = lib.libdeflate_alloc_compressor(level);
            return compressor == null ? 0 : compressor.address();
        }

        @Override
        public long compressBound(long compressor, long inBytes) {
            return lib.libdeflate_deflate_compress_bound(pointer(compressor), inBytes);
        }

        @Override
        public long deflateCompress(long compressor, ByteBuffer in, long inBytes, ByteBuffer out,
                long outAvailable) {
            return lib.libdeflate_deflate_compress(pointer(compressor), in, inBytes, out, outAvailable);
        }

        @Override
        public void freeCompressor(long compressor) {
            lib.libdeflate_free_compressor(pointer(compressor));
        }

        private Pointer pointer(long address) {
            return Pointer.wrap(Runtime.getRuntime(lib), address);
        }
    }

    /**
     * The libdeflate binding when gzip should use it: not when the system property {@value #PROPERTY} says
     * {@code zlib}, nor when the library cannot be loaded by either binding.
     */
    static Optional<Calls> preferred() {
        if ("zlib".equalsIgnoreCase(System.getProperty(PROPERTY, "libdeflate"))) {
            return Optional.empty();
        }
        Optional<Calls> jni = JniDeflate.load();
        return jni.isPresent() ? jni : jnr();
    }

    /** The jnr-ffi binding alone; empty in a GraalVM native image, where jnr-ffi cannot generate its classes. */
    static Optional<Calls> jnr() {
        if (NativeImage.isRuntime()) {
            return Optional.empty();
        }
        return JnrBinding.CALLS;
    }

    /** One libdeflate compressor with native input and output buffers for blocks of up to {@code maxInput} bytes. */
    static final class Compressor implements AutoCloseable {
        private final Calls lib;
        private final long compressor;
        private final ByteBuffer in;
        private final ByteBuffer out;

        Compressor(Calls lib, int level, int maxInput) {
            this.lib = lib;
            this.compressor = lib.allocCompressor(level);
            if (compressor == 0) {
                throw new IllegalStateException("libdeflate_alloc_compressor(" + level + ") failed");
            }
            try {
                this.in = ByteBuffer.allocateDirect(maxInput);
                this.out = ByteBuffer.allocateDirect(Math.toIntExact(lib.compressBound(compressor, maxInput)));
            } catch (RuntimeException | OutOfMemoryError e) {
                lib.freeCompressor(compressor); // native memory nothing else would free
                throw e;
            }
        }

        /** The most bytes {@link #compress} can write for an input of {@code length} bytes. */
        int bound(int length) {
            return Math.toIntExact(lib.compressBound(compressor, length));
        }

        /**
         * Deflates {@code input[0, length)} as one final raw deflate stream into {@code output} at {@code offset},
         * which has room for {@link #bound}{@code (length)} bytes; returns the compressed length.
         */
        int compress(byte[] input, int length, byte[] output, int offset) {
            in.clear();
            in.put(input, 0, length);
            in.clear();
            out.clear();
            long n = lib.deflateCompress(compressor, in, length, out, out.capacity());
            if (n <= 0) {
                // Cannot happen with an output buffer of compress_bound's size.
                throw new IllegalStateException("libdeflate_deflate_compress returned " + n + " for " + length
                        + " bytes");
            }
            out.get(output, offset, (int) n);
            return (int) n;
        }

        @Override
        public void close() {
            lib.freeCompressor(compressor);
        }
    }
}
