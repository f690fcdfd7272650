package dev.wharf.grammar.shell;

import java.util.List;

/**
 * A view of another {@link EnvGetter} in which names compare the Windows way (see {@link EnvNames}).
 * Among keys that differ only in case, the one defined last wins, as in BuildKit's Windows
 * {@code EnvsFromSlice}. Immutable and thread-safe if the delegate is.
 */
final class CaseInsensitiveEnv implements EnvGetter {

    private final EnvGetter delegate;

    private CaseInsensitiveEnv(EnvGetter delegate) {
        this.delegate = delegate;
    }

    static EnvGetter of(EnvGetter env) {
        if (env instanceof CaseInsensitiveEnv || (env instanceof KeyedEnv keyed && keyed.caseInsensitive())) {
            return env;
        }
        return new CaseInsensitiveEnv(env);
    }

    @Override
    public String get(String name) {
        String wanted = EnvNames.normalize(name);
        List<String> keys = delegate.keys();
        // Scan backwards: the last definition wins.
        for (int i = keys.size() - 1; i >= 0; i--) {
            String key = keys.get(i);
            if (key.equals(name) || EnvNames.normalize(key).equals(wanted)) {
                return delegate.get(key);
            }
        }
        return null;
    }

    @Override
    public List<String> keys() {
        return delegate.keys();
    }
}
