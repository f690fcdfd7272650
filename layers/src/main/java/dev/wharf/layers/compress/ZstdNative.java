package dev.wharf.layers.compress;

import com.github.luben.zstd.util.Native;
import dev.wharf.layers.posix.NativeLibraryCache;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.net.URL;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Loads zstd-jni's native library from a per-user cache instead of letting zstd-jni unpack it anew on every start.
 *
 * <p>zstd-jni copies its 900 KB library out of the jar into a new temp file in each JVM ({@code File.createTempFile},
 * whose first call sets up a {@code SecureRandom}), then loads it: a few hundred milliseconds of a short command's
 * start on a loaded machine, where {@code zstd} itself starts in a millisecond. Here the library is unpacked once to
 * {@code $XDG_CACHE_HOME/wharf/native} (else {@code ~/.cache/wharf/native}, a directory only its user can write),
 * named by zstd-jni's version and the library's size, written with temp file, fsync and rename, and later starts
 * load that file ({@link NativeLibraryCache}). Whenever anything of it fails, zstd-jni loads the library its own way.
 * Stateless; thread-safe.
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
        URL resource = Native.class.getResource("/linux/" + arch + "/" + name + ".so");
        if (resource == null) {
            return Optional.empty();
        }
        return NativeLibraryCache.library(resource, size -> name + "-" + size + ".so");
    }
}
