package dev.wharf.grammar.shell;

/**
 * Windows-style variable name comparison, as BuildKit's {@code equal_env_windows.go} does it. Stateless.
 */
final class EnvNames {

    private EnvNames() {
    }

    /**
     * BuildKit's Windows {@code NormalizeEnvKey}: Go's {@code strings.ToUpper}, which maps each rune on
     * its own (simple case mapping, so {@code ß} stays {@code ß}, unlike {@link String#toUpperCase()}).
     * Returns {@code name} itself when nothing changes.
     */
    static String normalize(String name) {
        int n = name.length();
        int i = 0;
        while (i < n) {
            int cp = name.codePointAt(i);
            if (Character.toUpperCase(cp) != cp) {
                break;
            }
            i += Character.charCount(cp);
        }
        if (i == n) {
            return name;
        }
        StringBuilder out = new StringBuilder(n);
        out.append(name, 0, i);
        while (i < n) {
            int cp = name.codePointAt(i);
            out.appendCodePoint(Character.toUpperCase(cp));
            i += Character.charCount(cp);
        }
        return out.toString();
    }
}
