package dev.wharf.context.sources;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The retry BuildKit's git runner makes when a server cannot serve a shallow fetch (util/gitutil/git_cli.go): git's
 * dumb HTTP transport (a repository published as static files after {@code git update-server-info}) and old servers
 * refuse {@code --depth}, saying so on stderr ("dumb http transport does not support shallow capabilities", "Server
 * does not support --depth"); the same command then runs again without its depth arguments, fetching whole history.
 *
 * <p>Stateless and thread-safe.
 */
final class ShallowFallback {

    private ShallowFallback() {
    }

    /**
     * The arguments to run again after a failure that printed {@code output}: {@code args} without {@code --depth=N}
     * (or {@code --depth N}) when the failure was about shallow fetching and there was such an argument; empty
     * otherwise, and the failure stands.
     */
    static Optional<List<String>> retryArgs(List<String> args, String output) {
        if (!output.contains("--depth") && !output.contains("shallow")) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--depth=")) {
                continue;
            }
            if (a.equals("--depth") && i + 1 < args.size()) {
                i++;
                continue;
            }
            out.add(a);
        }
        return out.size() < args.size() ? Optional.of(List.copyOf(out)) : Optional.empty();
    }
}
