package dev.wharf.layers.compress;

import com.github.luben.zstd.util.Native;
import dev.wharf.layers.layout.NativeHelpers;
import dev.wharf.layers.posix.NativeLibraryCache;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Loads zstd-jni's native library from a per-user cache instead of letting zstd-jni unpack it anew on every start.
 *
 * <p>zstd-jni copies its 900 KB library out of the jar into a new temp file in each JVM ({@code File.createTempFile},
 * whose first call sets up a {@code SecureRandom}), then loads it: a few hundred milliseconds of a short command's
 * start on a loaded machine, where {@code zstd} itself starts in a millisecond. Here the library is unpacked once to
 * {@code $XDG_CACHE_HOME/wharf/native} (else {@code ~/.cache/wharf/native}, a directory only its user can write,
 * {@link NativeLibraryCache#directory}) under a name carrying its digest, written with temp file, fsync and rename,
 * and later starts load that file, found through a note named by the stamp of the jar it comes from
 * ({@link NativeHelpers#install(Class, String, String, Path)}): no resource of the jar is read then. Looking the
 * library up in the jar on every start (for its size) was a fresh JVM's first resource read, some 10 ms of jar and
 * module-image set-up before a zstd layer's first byte (class-load timeline of bench/layers.sh's zstd case). Whenever
 * anything of it fails, zstd-jni loads the library its own way. Stateless; thread-safe.
 */
final class ZstdNative {
    private ZstdNative() {
    }

    /** Makes sure zstd-jni's native library is loaded, from the cache when possible. */
    static void ensureLoaded() {
        if (Native.isLoaded()) {
            return;
        }
        try {
            Optional<Path> cached = cachedLibrary();
            if (cached.isPresent()) {
                System.load(cached.get().toString());
                Native.assumeLoaded();
            }
        } catch (IOException | ReflectiveOperationException | RuntimeException | LinkageError e) {
            System.getLogger(ZstdNative.class.getName()).log(Level.DEBUG,
                    "zstd-jni's library not loaded from the cache, zstd-jni unpacks it: {0}", e.toString());
        }
    }

    /** The cached library, unpacked first if missing; empty where zstd-jni has no library for this platform. */
    static Optional<Path> cachedLibrary() throws IOException, ReflectiveOperationException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.equals("linux")) {
            return Optional.empty();
        }
        String arch = System.getProperty("os.arch", "");
        arch = arch.equals("x86_64") ? "amd64" : arch;
        // zstd-jni's own name of its library: "libzstd-jni-" and its version (a constant of its loader).
        Field libname = Native.class.getDeclaredField("libname");
        libname.setAccessible(true);
        String name = (String) libname.get(null);
        return NativeHelpers.install(Native.class, "/linux/" + arch + "/" + name + ".so", name + ".so",
                NativeLibraryCache.directory());
    }
}
