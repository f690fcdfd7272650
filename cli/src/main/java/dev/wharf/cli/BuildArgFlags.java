package dev.wharf.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The build args of {@code --build-arg} flags as buildx reads them: {@code NAME=VALUE}, or a bare {@code NAME} that
 * takes the environment's value (and is left out when the environment has none); and {@code SOURCE_DATE_EPOCH} from
 * the environment when no flag gives it, as buildx 0.13 forwards it (measured: {@code SOURCE_DATE_EPOCH=2000000000
 * docker buildx build -o type=local,...} dates every file at 2000000000, a {@code --build-arg SOURCE_DATE_EPOCH=...}
 * wins over the environment, and an empty variable counts as unset). Stateless.
 */
final class BuildArgFlags {
    static final String SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH";

    private BuildArgFlags() {
    }

    /** The build args, in flag order (a later flag of the same name wins), the environment's epoch last. */
    static Map<String, String> resolve(List<String> flags, Map<String, String> env) {
        Map<String, String> args = new LinkedHashMap<>();
        for (String arg : flags) {
            int eq = arg.indexOf('=');
            if (eq >= 0) {
                args.put(arg.substring(0, eq), arg.substring(eq + 1));
            } else if (env.get(arg) != null) {
                args.put(arg, env.get(arg));
            }
        }
        String epoch = env.get(SOURCE_DATE_EPOCH);
        if (epoch != null && !epoch.isEmpty() && !args.containsKey(SOURCE_DATE_EPOCH)) {
            args.put(SOURCE_DATE_EPOCH, epoch);
        }
        return args;
    }
}
