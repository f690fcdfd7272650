package dev.wharf.layers.layout;

import dev.wharf.layers.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;

/**
 * Installs wharf's small native helpers: programs compiled from a module's {@code src/main/c} by
 * {@code builder/src/main/c/build.sh} when the build host has gcc, and packaged as the resource
 * {@code native/linux-<arch>/<name>} (with {@code <name>.sha256} beside it) next to the class that runs them.
 * {@link #install} writes one once into a state directory under a name that carries its digest
 * ({@code <name>-<sha256 prefix>}), atomically and with mode 0755 ({@link AtomicFiles#replace}), so concurrent
 * processes and different wharf versions never see a partial or a wrong binary; a note named by the stamp (size,
 * mtime, path) of the jar it comes from then leads later processes to it without reading the jar. Stateless,
 * thread-safe.
 */
public final class NativeHelpers {

    private NativeHelpers() {
    }

    /** {@code uname -m} of this machine, from {@code os.arch}. */
    public static String arch() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "arm64", "aarch64" -> "aarch64";
            case "x86", "i386", "i486", "i586", "i686" -> "i686";
            default -> arch;
        };
    }

    /** The resource path, relative to the package of the class that runs it, of helper {@code name} here. */
    public static String resource(String name) {
        return "native/linux-" + arch() + "/" + name;
    }

    /**
     * Helper {@code name} packaged beside {@code anchor}, installed in {@code dir} (made if missing); empty off
     * Linux, when this build of wharf has none for this architecture, or when it cannot be written there.
     */
    public static Optional<Path> install(Class<?> anchor, String name, Path dir) {
        return install(anchor, resource(name), name, dir);
    }

    /**
     * The resource {@code resource} of {@code anchor} ({@link Class#getResourceAsStream}'s path: relative to its
     * package, or absolute with a leading slash), installed in {@code dir} as helper {@code name}, as
     * {@link #install(Class, String, Path)} installs wharf's own: for a library a dependency ships in its jar, which a
     * fresh JVM then finds through the note without reading the jar. A {@code .sha256} beside the resource is used
     * when there is one; else the resource is read and hashed (once per jar).
     */
    public static Optional<Path> install(Class<?> anchor, String resource, String name, Path dir) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.empty();
        }
        // Fast path: a note named by the stamp of the jar (or class file) the helper comes from names the installed
        // copy, so a fresh JVM finds it without reading a resource (the first resource read of a JVM sets up its
        // jar URL handling: some 20 ms, more than the helper saves a small job).
        String stamp = stamp(anchor, resource);
        Path note = stamp == null ? null : dir.resolve(name + "-" + stamp + ".id");
        if (note != null) {
            try {
                String id = new String(Files.readAllBytes(note), StandardCharsets.US_ASCII);
                Path target = dir.resolve(name + "-" + id);
                if (id.length() == 16 && isHex(id) && Files.isRegularFile(target) && Files.isExecutable(target)) {
                    return Optional.of(target);
                }
            } catch (IOException | RuntimeException e) {
                // no note yet: install below
            }
        }
        Optional<Path> installed = installByDigest(anchor, resource, name, dir);
        if (installed.isPresent() && note != null) {
            String file = installed.get().getFileName().toString();
            try {
                AtomicFiles.replace(note, file.substring(name.length() + 1).getBytes(StandardCharsets.US_ASCII),
                        dir, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (IOException | RuntimeException e) {
                // the next process reads the resource again
            }
        }
        return installed;
    }

    /**
     * What identifies the bytes the helper is packaged in without reading them: the size, modification time and
     * path of the jar (or, for a class directory, of the resource file); null where that is not a local file.
     */
    private static String stamp(Class<?> anchor, String resource) {
        try {
            java.security.CodeSource source = anchor.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null
                    || !"file".equals(source.getLocation().getProtocol())) {
                return null;
            }
            Path location = Path.of(source.getLocation().toURI());
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(location,
                    java.nio.file.attribute.BasicFileAttributes.class);
            Path file = location;
            if (a.isDirectory()) {
                file = resource.startsWith("/") ? location.resolve(resource.substring(1))
                        : location.resolve(anchor.getPackageName().replace('.', '/')).resolve(resource);
                a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            }
            return Long.toHexString(a.size()) + "-"
                    + Long.toHexString(a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)) + "-"
                    + Integer.toHexString(file.toString().hashCode());
        } catch (IOException | RuntimeException | java.net.URISyntaxException e) {
            return null;
        }
    }

    /** Installs the helper under a name that carries its content digest (reading the resource). */
    private static Optional<Path> installByDigest(Class<?> anchor, String resource, String name, Path dir) {
        // The build writes the binary's SHA-256 beside it: an installed helper is found without reading the binary.
        Optional<String> known = knownDigest(anchor, resource);
        if (known.isPresent()) {
            Path target = dir.resolve(name + "-" + known.get().substring(0, 16));
            if (Files.isRegularFile(target) && Files.isExecutable(target)) {
                return Optional.of(target);
            }
        }
        byte[] binary;
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            binary = in.readAllBytes();
        } catch (IOException e) {
            return Optional.empty();
        }
        Path target = dir.resolve(name + "-" + digest(binary).substring(0, 16));
        try {
            if (Files.isRegularFile(target) && Files.isExecutable(target) && Files.size(target) == binary.length) {
                return Optional.of(target);
            }
            Files.createDirectories(dir);
            // The mode is set before the rename: a concurrent process finds no file or a complete executable one.
            AtomicFiles.replace(target, binary, dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return Optional.of(target);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> knownDigest(Class<?> anchor, String resource) {
        try (InputStream in = anchor.getResourceAsStream(resource + ".sha256")) {
            if (in == null) {
                return Optional.empty();
            }
            String hex = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            return hex.length() == 64 && isHex(hex) ? Optional.of(hex) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code s} is lower-case hex digits (by hand: a regex costs a fresh process its classes). */
    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The lower-case hex SHA-256 of {@code binary}. */
    public static String digest(byte[] binary) {
        return Digest.sha256Of(binary).hex();
    }
}
