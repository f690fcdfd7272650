package dev.wharf.cli;

import dev.wharf.builder.api.ImageAnnotation;
import dev.wharf.context.ContextException;
import dev.wharf.context.sources.NamedContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The checks of {@code wharf build}'s values in the order buildx 0.13 makes them, so that a command line with
 * several mistakes reports the one buildx reports. pflag refuses typed values as it parses ({@link FlagValueCheck});
 * cobra then counts the arguments and the hidden legacy flags warn; buildx's {@code toControllerOptions} reads the
 * build args, labels, attestations, named contexts, cache, secrets and ssh values and {@code --call}; its
 * {@code runBuild} removes a stale image ID file and checks the progress mode ({@link BuildCommand} does that
 * between the two halves here); its controller's build then parses the platforms, opens the secrets and the ssh
 * agents, reads the annotations and the entitlements, and only then loads the context. Each check prints the
 * error and gives the exit code; the command reads the values again afterwards, knowing they pass.
 */
final class BuildFlagOrder {
    private BuildFlagOrder() {
    }

    /** What buildx checks before the progress mode; the exit code when something is refused. */
    static OptionalInt beforeProgress(BuildCommand command, PrintWriter err) throws IOException {
        // buildx's hidden legacy flags warn when given (commands/build.go, checkWarnedFlags with their flag-warn
        // annotations, in RunE before anything is checked); --compress says nothing.
        if (command.isolation != null) {
            err.println("WARNING: isolation flag is deprecated with BuildKit.");
        }
        if (command.squash) {
            err.println("WARNING: experimental flag squash is removed with BuildKit. You should squash inside build "
                    + "using a multi-stage Dockerfile for efficiency.");
        }
        err.flush();
        // buildx's listToMap: KEY alone is an environment value or an empty label; an empty key is refused.
        for (List<String> pairs : List.of(command.buildArgs, command.labels)) {
            for (String pair : pairs) {
                if (pair.isEmpty() || pair.indexOf('=') == 0) {
                    return failed(err, "invalid key-value pair \"" + pair + "\": empty key");
                }
            }
        }
        Optional<String> attestError = AttestFlags.problem(command.attests, command.provenance, command.sbom);
        if (attestError.isPresent()) {
            return failed(err, attestError.get());
        }
        Path contextBase = Path.of("").toAbsolutePath();
        for (String value : command.buildContexts) {
            try {
                // buildx's ParseContextNames (and LoadInputs' os.Stat, which wharf makes here too).
                NamedContext.parse(value, contextBase);
            } catch (ContextException e) {
                return failed(err, e.getMessage());
            }
        }
        for (String output : command.outputs) {
            try {
                // buildx's ParseExports; what it leaves to the build (dest required, an unknown exporter) comes
                // after the progress display is set up, in BuildCommand.
                dev.wharf.builder.api.BuildOutput.checkSyntax(output);
            } catch (IllegalArgumentException e) {
                return failed(err, e.getMessage());
            }
        }
        // BuildKit's client and daemon refuse the rest (a required attribute, an unknown type) when the build is
        // solved: BuildCommand checks those later.
        Optional<String> cacheError = CacheFlags.parseProblem(command.cacheFrom, command.cacheTo);
        if (cacheError.isPresent()) {
            return failed(err, cacheError.get());
        }
        for (String secret : command.secrets) {
            try {
                SecretFlags.parse(secret);
            } catch (IllegalArgumentException e) {
                return failed(err, e.getMessage());
            }
        }
        if (!command.check) {
            try {
                CallFunction.parse(command.call);
            } catch (IllegalArgumentException e) {
                err.println("wharf build: --call " + command.call + ": " + e.getMessage());
                return OptionalInt.of(ExitCodes.USAGE);
            }
        }
        // buildx refuses --iidfile beside a local or tar output as it reads the outputs, before it removes the file.
        Optional<String> iidConflict = ResultFiles.iidFileConflict(command.iidFile, command.outputs);
        if (iidConflict.isPresent()) {
            return failed(err, iidConflict.get());
        }
        // buildx's runBuild removes the image ID file before it builds ("Avoid leaving a stale file if we eventually
        // fail"): a failed build leaves none, so a script cannot read the id of an earlier build as this one's.
        if (command.iidFile != null && !ResultFiles.removeStale(command.iidFile, err)) {
            return OptionalInt.of(ExitCodes.FAILED);
        }
        return OptionalInt.empty();
    }

    /** What buildx's build checks after the progress mode and before it loads the context. */
    static OptionalInt afterProgress(BuildCommand command, PrintWriter err) throws IOException {
        if (command.noCache && !command.noCacheFilter.isEmpty()) {
            // buildx's controller (RunBuild), still in buildx 0.2x.
            return failed(err, "--no-cache and --no-cache-filter cannot currently be used together");
        }
        Set<String> platforms;
        try {
            platforms = command.platforms();
        } catch (IllegalArgumentException e) {
            return failed(err, e.getMessage());
        }
        if (platforms.size() > 1) {
            return failed(err, "wharf builds for this host's platform only; a multi-platform build ("
                    + String.join(",", platforms) + ") is not supported");
        }
        try (SecretFlags store = new SecretFlags(System.getenv())) {
            for (String secret : command.secrets) {
                // BuildKit's secret store, which buildx makes as the build starts (secretsprovider.NewStore).
                Optional<String> problem = store.problem(SecretFlags.parse(secret));
                if (problem.isPresent()) {
                    return failed(err, problem.get());
                }
            }
        }
        OptionalInt ssh = command.readSshAgents(err);
        if (ssh.isPresent()) {
            return ssh;
        }
        try {
            ImageAnnotation.parseAll(command.annotations);
        } catch (IllegalArgumentException e) {
            // buildx 0.13.1 returns its parser's error as it is (newer ones prefix "parse annotations: ").
            return failed(err, e.getMessage());
        }
        for (String entitlement : command.allow) {
            // buildx util/buildflags/entitlements.go and BuildKit util/entitlements/entitlements.go Parse.
            int eq = entitlement.indexOf('=');
            String key = eq < 0 ? entitlement : entitlement.substring(0, eq);
            if (!key.isEmpty() && !List.of("network.host", "security.insecure", "device", "buildx.local.delete")
                    .contains(key)) {
                return failed(err, "unknown entitlement " + entitlement);
            }
            if (key.equals("buildx.local.delete") && eq >= 0) {
                return failed(err, "buildx.local.delete does not accept a value");
            }
        }
        return OptionalInt.empty();
    }

    /** buildx prints every error its build command returns as {@code ERROR: ...} and exits 1. */
    private static OptionalInt failed(PrintWriter err, String message) {
        err.println("ERROR: " + message);
        return OptionalInt.of(ExitCodes.FAILED);
    }
}
