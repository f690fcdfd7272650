package dev.wharf.builder.plan;

import dev.wharf.builder.plan.lint.CheckRule;
import dev.wharf.builder.plan.lint.Checks;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.go.GoQuote;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.Stage;
import dev.wharf.grammar.instructions.Suggest;
import dev.wharf.grammar.shell.ExpansionResult;
import dev.wharf.grammar.shell.ShellExpansionException;
import dev.wharf.grammar.shell.ShellLexer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks of FROM lines, which see the global ARGs: {@code InvalidDefaultArgInFrom}
 * ({@code validateBaseImagesWithDefaultArgs}), then per stage {@code UndefinedArgInFrom},
 * {@code RedundantTargetPlatform} and {@code FromPlatformFlagConstDisallowed} as BuildKit's
 * {@code buildDispatchStates} runs them (dockerfile2llb/convert.go, validations.go), on every stage.
 *
 * <p>Stateless and thread-safe.
 */
final class FromChecks {

    private static final String TARGET_PLATFORM = "TARGETPLATFORM";

    private FromChecks() {
    }

    /**
     * Base names that are not image references when no build arg is given: the defaults of the global ARGs must
     * make a valid name. Silently gives up when the defaults do not even expand (the build fails on its own).
     */
    static void defaultArgs(String file, Dockerfile dockerfile, PlanRequest request, String target, ShellLexer lexer,
                            Checks checks) {
        // defaultArgs(platformOpt, opt.BuildArgs, target) keeps platform build args; buildMetaArgs gets none.
        Map<String, String> platformArgs = new HashMap<>();
        request.buildArgs().forEach((k, v) -> {
            if (GlobalScope.PREDEFINED.contains(k)) {
                platformArgs.put(k, v);
            }
        });
        GlobalScope defaults;
        try {
            defaults = GlobalScope.build(file, request.platform(), target, platformArgs, dockerfile.metaArgs(), lexer);
        } catch (DockerfileException e) {
            return;
        }
        for (Stage stage : dockerfile.stages()) {
            String name;
            try {
                name = lexer.processWordWithMatches(stage.baseName().text(), defaults.args().getter()).value();
            } catch (ShellExpansionException e) {
                return;
            }
            if (ImageReferences.problem(name).isPresent()) {
                checks.report(CheckRule.INVALID_DEFAULT_ARG_IN_FROM, stage.from().range(),
                        "Default value for ARG " + stage.baseName().text()
                                + " results in empty or invalid base image name");
            }
        }
    }

    /** The checks of each stage's FROM against the global scope the build really has. */
    static void stages(Dockerfile dockerfile, GlobalScope global, Platform platform, ShellLexer lexer,
                       Checks all) {
        Set<String> keySet = new LinkedHashSet<>(global.declared());
        global.args().toMap().keySet().forEach(keySet::add);
        List<String> keys = new ArrayList<>(keySet);
        for (Stage stage : dockerfile.stages()) {
            Checks checks = all.withComments(stage.from().comments());
            SourceRange range = stage.from().range();
            try {
                ExpansionResult name = lexer.processWordWithMatches(stage.baseName().text(), global.args().getter());
                undeclared(name, keys, range, checks);
            } catch (ShellExpansionException e) {
                continue;
            }
            if (stage.platform().isEmpty()) {
                continue;
            }
            String written = stage.platform().get().text();
            ExpansionResult value;
            try {
                value = lexer.processWordWithMatches(written, global.args().getter());
            } catch (ShellExpansionException e) {
                continue;
            }
            undeclared(value, keys, range, checks);
            redundantTargetPlatform(written, value, global, range, checks);
            constantPlatform(stage.name().orElse(""), value, platform, range, checks);
        }
    }

    private static void undeclared(ExpansionResult result, List<String> keys, SourceRange range, Checks checks) {
        for (String arg : result.unmatched()) {
            if (keys.contains(arg)) {
                continue;
            }
            String suggest = Suggest.search(arg, keys, true);
            checks.report(CheckRule.UNDEFINED_ARG_IN_FROM, range, "FROM argument '" + arg + "' is not declared"
                    + (suggest.isEmpty() ? "" : " (did you mean " + suggest + "?)"));
        }
    }

    /** Only a lone {@code $TARGETPLATFORM} that expanded to the target platform itself is redundant. */
    private static void redundantTargetPlatform(String written, ExpansionResult value, GlobalScope global,
                                                SourceRange range, Checks checks) {
        if (value.matched().size() == 1 && value.unmatched().isEmpty() && value.matched().contains(TARGET_PLATFORM)
                && global.args().get(TARGET_PLATFORM).map(value.value()::equals).orElse(false)) {
            checks.report(CheckRule.REDUNDANT_TARGET_PLATFORM, range, "Setting platform to predefined " + written
                    + " in FROM is redundant as this is the default behavior");
        }
    }

    /** A constant platform, unless the stage's name mentions its OS or architecture (a per-platform stage). */
    private static void constantPlatform(String stageName, ExpansionResult value, Platform defaults,
                                         SourceRange range, Checks checks) {
        if (!value.matched().isEmpty() || !value.unmatched().isEmpty()) {
            return;
        }
        Platform p;
        try {
            p = Platform.parse(value.value(), defaults);
        } catch (DockerfileException e) {
            return;
        }
        if (stageName.contains(p.os()) || stageName.contains(p.architecture())) {
            return;
        }
        checks.report(CheckRule.FROM_PLATFORM_FLAG_CONST_DISALLOWED, range,
                "FROM --platform flag should not use constant value " + GoQuote.quote(value.value()));
    }
}
