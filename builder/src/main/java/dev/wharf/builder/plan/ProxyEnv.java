package dev.wharf.builder.plan;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The proxy variables a build passes to every RUN without declaring them as ARGs and without making them part of
 * any cache key: BuildKit's {@code proxyEnvFromBuildArgs} (dockerfile2llb/convert.go) and {@code proxyEnvList}
 * (solver/llbsolver/ops/exec.go), which sets each in upper and lower case.
 *
 * <p>Stateless and thread-safe.
 */
final class ProxyEnv {

    private static final String[] NAMES = {"http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy"};

    private ProxyEnv() {
    }

    /** The proxy environment from {@code buildArgs} (names matched case-insensitively; the last sorted wins). */
    static Map<String, String> fromBuildArgs(Map<String, String> buildArgs) {
        Map<String, String> values = new LinkedHashMap<>();
        new TreeMap<>(buildArgs).forEach((k, v) -> {
            String lower = k.toLowerCase(Locale.ROOT);
            for (String name : NAMES) {
                if (name.equals(lower)) {
                    values.put(name, v);
                }
            }
        });
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : NAMES) {
            String v = values.get(name);
            if (v != null && !v.isEmpty()) {
                env.put(name.toUpperCase(Locale.ROOT), v);
                env.put(name, v);
            }
        }
        return env;
    }
}
