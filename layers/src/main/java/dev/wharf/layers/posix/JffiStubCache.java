package dev.wharf.layers.posix;

import com.kenai.jffi.Version;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URL;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Points jffi (the native-call layer of jnr-ffi) at a cached copy of its native stub, so that it does not unpack the
 * stub from its jar into a new temp file in every JVM (a {@code SecureRandom} for the name, a copy, a new file:
 * some 20-30 ms of every fresh command that makes a native call). The copy is in {@link NativeLibraryCache}, in a
 * directory named by the stub's version and size, and jffi is told through its own setting
 * {@code jffi.boot.library.path}, which it reads when it first loads the stub and tries before unpacking; a value
 * the user set is kept. When anything here fails, jffi unpacks its stub as before. Stateless; thread-safe.
 */
public final class JffiStubCache {
    private static final String BOOT_PATH = "jffi.boot.library.path";

    private JffiStubCache() {
    }

    /** Makes jffi load its stub from the cache, unpacking it there first if needed; call before jffi's first use. */
    public static void use() {
        if (System.getProperty(BOOT_PATH) != null) {
            return;
        }
        try {
            cachedStubDirectory().ifPresent(dir -> System.setProperty(BOOT_PATH, dir.toString()));
        } catch (IOException | RuntimeException | LinkageError e) {
            System.getLogger(JffiStubCache.class.getName()).log(Level.DEBUG,
                    "jffi's stub not cached, jffi unpacks it: {0}", e.toString());
        }
    }

    /** The cache directory holding the stub, unpacked first if missing; empty where jffi has none for here. */
    static Optional<Path> cachedStubDirectory() throws IOException {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).equals("linux")) {
            return Optional.empty();
        }
        // jffi's own names: the stub "jffi-MAJOR.MINOR" under jni/<arch>-Linux/ of its native jar. Not asked of
        // jffi's StubLoader: its class initialiser loads the stub, before the setting could be made.
        String arch = System.getProperty("os.arch", "");
        arch = arch.equals("amd64") ? "x86_64" : arch;
        String version = Version.MAJOR + "." + Version.MINOR;
        String file = System.mapLibraryName("jffi-" + version);
        URL resource = Version.class.getResource("/jni/" + arch + "-Linux/" + file);
        if (resource == null) {
            return Optional.empty();
        }
        return NativeLibraryCache.library(resource, size -> "jffi-" + version + "-" + size + "/" + file)
                .map(Path::getParent);
    }
}
