package dev.wharf.layers.posix;

import dev.wharf.layers.layout.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * A per-user cache of the native libraries that wharf's dependencies ship inside their jars (zstd-jni's, jffi's
 * stub), so that they are unpacked once instead of into a new temp file in every JVM: each such unpack costs a
 * fresh command a {@code SecureRandom} for the temp name, a copy and a new file, where the library's own tool starts
 * in a millisecond. The cache is {@code $XDG_CACHE_HOME/wharf/native} (else {@code ~/.cache/wharf/native}), a
 * directory only its user can write; a library is named by its caller (by version and size) and written with temp
 * file, fsync and rename. Callers load it themselves and fall back to the library's own loading when anything here
 * fails. Stateless; thread-safe (concurrent JVMs write the same bytes, renamed into place atomically).
 */
public final class NativeLibraryCache {
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private NativeLibraryCache() {
    }

    /**
     * Returns the cached copy of the jar resource {@code resource}, unpacking it first when missing or of another
     * size; empty when the resource's size is unknown or the read is short.
     *
     * @param pathForSize the copy's path in the cache for the resource's size in bytes (a file name, or one private
     *     subdirectory and a file name)
     */
    public static Optional<Path> library(URL resource, LongFunction<String> pathForSize) throws IOException {
        URLConnection connection = resource.openConnection();
        long size = connection.getContentLengthLong();
        if (size <= 0) {
            return Optional.empty();
        }
        Path cache = directory();
        Path lib = cache.resolve(pathForSize.apply(size)).normalize();
        Path dir = lib.getParent();
        if (!dir.equals(cache)) {
            privateDirectory(dir);
        }
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

    /** The cache directory, created private if missing; refused unless it is this user's and private. */
    public static Path directory() throws IOException {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        Path dir = base.resolve("wharf").resolve("native");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
        }
        privateDirectory(dir);
        return dir;
    }

    /** Creates {@code dir} (mode 0700) when missing; only a directory of this user, writable by nobody else, may
     * provide code to load. */
    private static void privateDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(PRIVATE);
            try {
                Files.createDirectory(dir, mode);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // Created by a concurrent start.
            }
        }
        if (!Files.getOwner(dir).getName().equals(System.getProperty("user.name"))
                || !PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)).substring(3).equals("------")) {
            throw new IOException(dir + " is not a private directory of " + System.getProperty("user.name"));
        }
    }
}
