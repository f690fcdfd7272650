package dev.wharf.layers.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Resolves the default root directory of the local store: {@code $WHARF_ROOT}, else {@code $XDG_DATA_HOME/wharf},
 * else {@code ~/.local/share/wharf} (the XDG Base Directory default). A {@code --root} option or an explicit path in
 * the Java API takes precedence over all of these and needs no resolution.
 *
 * <p>Stateless and thread-safe. The environment is a parameter; only {@link #fromSystemEnvironment()} reads the
 * process environment.
 */
public final class StoreRoot {
    /** The environment variable that overrides the root. */
    public static final String WHARF_ROOT = "WHARF_ROOT";
    /** The XDG variable for per-user data. */
    public static final String XDG_DATA_HOME = "XDG_DATA_HOME";

    private StoreRoot() {
    }

    /**
     * Resolves the root from an environment and a home directory. Empty variables count as unset, and a relative
     * {@code XDG_DATA_HOME} is ignored, as the XDG specification requires.
     */
    public static Path resolve(Map<String, String> environment, Path userHome) {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(userHome, "userHome");
        String wharfRoot = environment.get(WHARF_ROOT);
        if (wharfRoot != null && !wharfRoot.isEmpty()) {
            return Path.of(wharfRoot).toAbsolutePath().normalize();
        }
        String dataHome = environment.get(XDG_DATA_HOME);
        if (dataHome != null && !dataHome.isEmpty() && Path.of(dataHome).isAbsolute()) {
            return Path.of(dataHome, "wharf").normalize();
        }
        return userHome.resolve(".local").resolve("share").resolve("wharf").toAbsolutePath().normalize();
    }

    /** Resolves the root from this process's environment and the {@code user.home} system property. */
    public static Path fromSystemEnvironment() {
        return resolve(System.getenv(), Path.of(System.getProperty("user.home")));
    }
}
