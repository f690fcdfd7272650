package dev.wharf.layers.compress;

import com.github.luben.zstd.util.Native;
import dev.wharf.layers.layout.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * load that file. Whenever anything of it fails, zstd-jni loads the library its own way. Stateless; thread-safe.
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
        URLConnection connection = resource.openConnection();
        long size = connection.getContentLengthLong();
        if (size <= 0) {
            return Optional.empty();
        }
        Path dir = cacheDirectory();
        Path lib = dir.resolve(name + "-" + size + ".so");
        if (Files.isRegularFile(lib) && Files.size(lib) == size) {
            return Optional.of(lib);
        }
        byte[] content;
        try (InputStream in = connection.getInputStream()) {
            content = in.readAllBytes();
        }
        if (content.length != size) {
            return Optional.empty();
        }
        AtomicFiles.replace(lib, content, dir);
        return Optional.of(lib);
    }

    private static Path cacheDirectory() throws IOException {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        Path dir = base.resolve("wharf").resolve("native");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // Created by a concurrent start.
            }
        }
        // Only a directory of this user, writable by nobody else, may provide code to load.
        if (!Files.getOwner(dir).getName().equals(System.getProperty("user.name"))
                || !PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)).substring(3).equals("------")) {
            throw new IOException(dir + " is not a private directory of " + System.getProperty("user.name"));
        }
        return dir;
    }
}
