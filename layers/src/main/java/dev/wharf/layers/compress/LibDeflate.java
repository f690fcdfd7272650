package dev.wharf.layers.compress;

import dev.wharf.layers.posix.JffiStubCache;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;

/**
 * The host's libdeflate (Debian package {@code libdeflate0}) through jnr-ffi: whole-buffer raw deflate, about twice
 * as fast as zlib at level 6 with an equal or smaller output. It has no streaming API, so
 * {@link ParallelGzipOutputStream} compresses each block into a gzip member of its own.
 *
 * <p>The binding is loaded once per JVM on first use and is stateless and thread-safe; a {@link Compressor} is not
 * thread-safe (one per worker at a time).
 */
final class LibDeflate {
    /** The system property that picks the deflate implementation: {@code libdeflate} (default if loadable), {@code zlib}. */
    static final String PROPERTY = "wharf.gzip.implementation";

    /** The libdeflate functions used; signatures as in libdeflate 1.x's {@code libdeflate.h}. */
    public interface Lib {
        Pointer libdeflate_alloc_compressor(int level);

        @size_t long libdeflate_deflate_compress(Pointer compressor, @In ByteBuffer in, @size_t long inBytes,
                @Out ByteBuffer out, @size_t long outAvailable);

        @size_t long libdeflate_deflate_compress_bound(Pointer compressor, @size_t long inBytes);

        void libdeflate_free_compressor(Pointer compressor);
    }

    private LibDeflate() {
    }

    /** Loads the library once; empty when it is not installed or cannot be bound. */
    private static final class Binding {
        static final Optional<Lib> LIB = load();

        private Binding() {
        }

        private static Optional<Lib> load() {
            System.Logger log = System.getLogger(LibDeflate.class.getName());
            JffiStubCache.use();
            // Without the -dev package there is no unversioned libdeflate.so, only the soname libdeflate.so.0.
            for (String name : new String[] {"libdeflate.so.0", "deflate"}) {
                try {
                    Lib lib = LibraryLoader.create(Lib.class).failImmediately().load(name);
                    log.log(Level.DEBUG, "gzip layers are compressed with libdeflate ({0})", name);
                    return Optional.of(lib);
                } catch (LinkageError | RuntimeException e) {
                    log.log(Level.DEBUG, "libdeflate not loadable as {0}: {1}", name, e.toString());
                }
            }
            log.log(Level.DEBUG, "gzip layers are compressed with zlib (java.util.zip): libdeflate is not installed");
            return Optional.empty();
        }
    }

    /**
     * The libdeflate binding when gzip should use it: not when the system property {@value #PROPERTY} says
     * {@code zlib}, nor when the library cannot be loaded.
     */
    static Optional<Lib> preferred() {
        // In a GraalVM native image (cli's -Pnative) jnr-ffi cannot generate its binding class at run time: zlib.
        if ("zlib".equalsIgnoreCase(System.getProperty(PROPERTY, "libdeflate"))
                || "runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))) {
            return Optional.empty();
        }
        return Binding.LIB;
    }

    /** One libdeflate compressor with native input and output buffers for blocks of up to {@code maxInput} bytes. */
    static final class Compressor implements AutoCloseable {
        private final Lib lib;
        private final Pointer compressor;
        private final ByteBuffer in;
        private final ByteBuffer out;

        Compressor(Lib lib, int level, int maxInput) {
            this.lib = lib;
            this.compressor = lib.libdeflate_alloc_compressor(level);
            if (compressor == null) {
                throw new IllegalStateException("libdeflate_alloc_compressor(" + level + ") failed");
            }
            this.in = ByteBuffer.allocateDirect(maxInput);
            this.out = ByteBuffer.allocateDirect(
                    Math.toIntExact(lib.libdeflate_deflate_compress_bound(compressor, maxInput)));
        }

        /** The most bytes {@link #compress} can write for an input of {@code length} bytes. */
        int bound(int length) {
            return Math.toIntExact(lib.libdeflate_deflate_compress_bound(compressor, length));
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
            long n = lib.libdeflate_deflate_compress(compressor, in, length, out, out.capacity());
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
            lib.libdeflate_free_compressor(compressor);
        }
    }
}
