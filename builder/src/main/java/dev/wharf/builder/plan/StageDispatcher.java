package dev.wharf.builder.plan;

import dev.wharf.builder.plan.lint.Checks;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.instructions.ArgDefinition;
import dev.wharf.grammar.instructions.ArgInstruction;
import dev.wharf.grammar.instructions.CmdInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.EnvInstruction;
import dev.wharf.grammar.instructions.ExposeInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.KeyValue;
import dev.wharf.grammar.instructions.Mount;
import dev.wharf.grammar.instructions.MountType;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.shell.ShellLexer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Plans the steps of one stage: BuildKit's per-stage part of {@code dispatchStages} and {@code dispatch}
 * (dockerfile2llb/convert.go). It starts from the base (scratch, an image's config, or an earlier stage's final
 * state), makes sure PATH is set, then for each instruction expands it in the current environment, applies its
 * effect on the environment and config, and records the ARGs it used.
 *
 * <p>Scoping follows BuildKit exactly: a stage sees only the ARGs it declares (a declaration without default
 * takes the global value), build args override declared defaults, declared ARGs with a value join the
 * environment RUN sees, and a later ENV or ARG of the same name replaces the earlier value. A stage built FROM
 * another inherits its environment (ARGs included) and its declared ARGs.
 *
 * <p>Stateless apart from its configuration; thread-safe.
 */
final class StageDispatcher {

    /** Build args that are not put into the environment (BuildKit's {@code nonEnvArgs}). */
    private static final Set<String> NON_ENV_ARGS = Set.of("BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE");

    /** BuildKit's {@code system.DefaultPathEnv} for Linux. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** One ARG declared in a stage, with the value it took (empty when it has none). */
    record StageArg(String key, Optional<String> value) {
    }

    /**
     * A planned stage with the state a stage built FROM it starts with ({@code workdirSet}: a WORKDIR was set in
     * it or the stages it is built from, for the WorkdirRelativePath check).
     */
    record Result(PlannedStage stage, EnvList env, List<StageArg> args, boolean workdirSet) {
        Result {
            args = List.copyOf(args);
        }
    }

    private final String file;
    private final ShellLexer lexer;
    private final PlanRequest request;
    private final GlobalScope global;
    private final Checks checks;
    private final Optional<PatternMatcher> ignore;
    private final boolean labs;

    StageDispatcher(String file, ShellLexer lexer, PlanRequest request, GlobalScope global, Checks checks,
                    Optional<PatternMatcher> ignore, boolean labs) {
        this.file = file;
        this.lexer = lexer;
        this.request = request;
        this.global = global;
        this.checks = checks;
        this.ignore = ignore;
        this.labs = labs;
    }

    /** Plans {@code node}; {@code done} holds the stages planned so far, by node. */
    Result dispatch(StageGraph.Node node, Map<StageGraph.Node, Result> done) throws DockerfileException {
        ImageConfig config;
        EnvList env;
        List<StageArg> args = new ArrayList<>();
        StageBase base;
        boolean workdirSet = false;
        if (node.base != null) {
            Result parent = done.get(node.base);
            workdirSet = parent.workdirSet();
            // dispatchState.init: ONBUILD triggers do not carry over from a base stage.
            config = parent.stage().config().withOnBuild(List.of());
            env = parent.env();
            args.addAll(parent.args());
            base = new StageBase.Stage(node.base.stage.index());
        } else if (node.isScratch()) {
            // image.go emptyImage: scratch's config has WorkingDir "/" (and PATH, added below).
            config = ImageConfig.empty().withWorkingDir("/");
            env = EnvList.empty();
            base = new StageBase.Scratch();
        } else if (node.isFiles()) {
            // convert.go resolveBaseImage: a named context without an image starts from emptyImage's config; one
            // that replaces the whole stage (toDispatchState's noinit) keeps the zero image, without WorkingDir.
            config = node.replaced ? ImageConfig.empty() : ImageConfig.empty().withWorkingDir("/");
            env = EnvList.empty();
            base = new StageBase.Context(node.contextName, node.replaced);
        } else {
            config = node.image.config().withOnBuild(List.of());
            env = EnvList.empty();
            base = node.contextName != null && node.context instanceof NamedContextRef.Image ref
                    ? new StageBase.Image(node.image, node.contextName, ref.reference())
                    : new StageBase.Image(node.image);
        }
        if (config.env().stream().noneMatch(e -> EnvEntry.parse(e).key().equals("PATH"))) {
            List<String> withPath = new ArrayList<>(config.env());
            withPath.add("PATH=" + DEFAULT_PATH);
            config = config.withEnv(withPath);
        }
        for (String entry : config.env()) {
            EnvEntry e = EnvEntry.parse(entry);
            env = env.addOrReplace(e.key(), e.value());
        }
        if (!config.workingDir().isEmpty()) {
            config = config.withWorkingDir(Workdirs.resolve(config.workingDir(), config.workingDir()));
        }

        boolean ignoreCache = request.noCache()
                || node.stage.name().map(request.noCacheStages()::contains).orElse(false);
        List<Step> steps = new ArrayList<>();
        boolean cmdSet = false;
        StageChecks stageChecks = new StageChecks(checks, workdirSet, ignore);
        for (StageGraph.Command command : node.commands) {
            Instruction instruction = command.instruction();
            SourceRange range = command.range();
            Checks instructionChecks = stageChecks.forInstruction(instruction);
            EnvList before = env;
            StepEnvironment environment = new StepEnvironment(env.entries(),
                    config.workingDir().isEmpty() ? "/" : config.workingDir(), config.user(),
                    ConfigEffects.shell(config));
            Set<String> matched = new LinkedHashSet<>();
            Instruction expanded;
            List<Mount> mounts = List.of();
            List<StepSource> sources = List.of();
            if (instruction instanceof ArgInstruction arg) {
                List<ArgDefinition> definitions = new ArrayList<>();
                for (ArgDefinition def : arg.args()) {
                    StageChecks.secret(instructionChecks, "ARG", def.key(), range);
                    List<Set<String>> unmatched = new ArrayList<>();
                    Optional<String> value = argValue(def, env, range, matched, unmatched);
                    StageChecks.undefinedVars(instructionChecks, range, unmatched, argKeys(args), NON_ENV_ARGS,
                            envKeys(env));
                    if (value.isPresent() && !NON_ENV_ARGS.contains(def.key())) {
                        env = env.addOrReplace(def.key(), value.get());
                    }
                    args.add(new StageArg(def.key(), value));
                    definitions.add(new ArgDefinition(def.key(), value, def.docComment(), def.range()));
                }
                expanded = new ArgInstruction(arg.origin(), definitions);
            } else {
                Expander expander = new Expander(file, lexer, env, range);
                InstructionExpansion.Expanded result = InstructionExpansion.expand(instruction, expander);
                matched.addAll(expander.matched());
                expanded = result.instruction();
                if (!(expanded instanceof ExposeInstruction)) {
                    // EXPOSE words go through ProcessWords, which reports nothing (dispatchExpose).
                    StageChecks.undefinedVars(instructionChecks, range, expander.unmatchedByWord(), argKeys(args),
                            NON_ENV_ARGS, envKeys(env));
                }
                stageChecks.dispatched(instructionChecks, expanded, range, !config.shell().isEmpty());
                mounts = result.mounts();
                checkMountTargets(mounts, environment.workingDir(), range);
                sources = sources(node, command, mounts);
                try {
                    CopyChecks.check(expanded);
                    RunDevices.check(expanded, labs);
                    config = ConfigEffects.apply(expanded, config, cmdSet);
                } catch (DockerfileException e) {
                    throw located(range, e);
                }
                if (expanded instanceof EnvInstruction envInstruction) {
                    for (KeyValue kv : envInstruction.pairs()) {
                        env = env.addOrReplace(kv.key().text(), kv.value().text());
                    }
                }
                cmdSet |= expanded instanceof CmdInstruction;
            }
            steps.add(new Step(range, expanded, mounts, environment, usedArgs(expanded, matched, args, before),
                    sources, config, command.onBuild(), ignoreCache));
        }
        PlannedStage stage = new PlannedStage(node.stage.index(), node.stage.name(), node.baseName, base,
                node.platform, node.fromArgs, node.range, steps, config, ignoreCache);
        return new Result(stage, env, args, stageChecks.workdirSet());
    }

    private static Set<String> argKeys(List<StageArg> args) {
        Set<String> keys = new LinkedHashSet<>();
        args.forEach(a -> keys.add(a.key()));
        return keys;
    }

    private static List<String> envKeys(EnvList env) {
        return List.copyOf(env.toMap().keySet());
    }

    /**
     * The value an ARG definition takes: the build arg, else its default expanded in the stage's environment,
     * else (no default) the global ARG of the same name. BuildKit's {@code dispatchArg}.
     */
    private Optional<String> argValue(ArgDefinition def, EnvList env, SourceRange range, Set<String> matched,
                                      List<Set<String>> unmatched) throws DockerfileException {
        String buildArg = request.buildArgs().get(def.key());
        if (buildArg != null) {
            return Optional.of(buildArg);
        }
        if (def.defaultValue().isPresent()) {
            Expander expander = new Expander(file, lexer, env, range);
            String value = expander.expand(def.defaultValue().get());
            matched.addAll(expander.matched());
            unmatched.addAll(expander.unmatchedByWord());
            return Optional.of(value);
        }
        return global.args().get(def.key());
    }

    /**
     * The ARGs a step depends on, with the values it saw: those its expansion found that are declared ARGs of
     * the stage, and for RUN every ARG the stage declared, with or without a value, as BuildKit's
     * {@code runCommandString} lists them in the history ({@code |3 A=1 B= C=x}): first declaration order, the
     * value from the environment when it has one (an ENV of the same name wins), else the ARG's own value or "".
     */
    private static Map<String, String> usedArgs(Instruction expanded, Set<String> matched, List<StageArg> args,
                                                EnvList before) {
        if (args.isEmpty()) {
            return Map.of();
        }
        // One map of the environment per step, not one scan per ARG: a RUN after hundreds of ARGs and ENVs
        // would otherwise cost their product (a 10,000-instruction Dockerfile took seconds to plan).
        Map<String, String> values = before.toMap();
        Map<String, String> used = new LinkedHashMap<>();
        if (expanded instanceof RunInstruction) {
            for (StageArg arg : args) {
                String value = values.get(arg.key());
                used.put(arg.key(), value != null ? value : arg.value().orElse(""));
            }
            return used;
        }
        if (matched.isEmpty()) {
            return used;
        }
        Set<String> declared = new LinkedHashSet<>();
        for (StageArg arg : args) {
            if (arg.value().isPresent()) {
                declared.add(arg.key());
            } else {
                declared.remove(arg.key());
            }
        }
        for (String name : matched) {
            String value = declared.contains(name) ? values.get(name) : null;
            if (value != null) {
                used.put(name, value);
            }
        }
        return used;
    }

    /** The stages and images {@code command} reads; each stage must have been planned before this one. */
    private List<StepSource> sources(StageGraph.Node node, StageGraph.Command command, List<Mount> mounts)
            throws DockerfileException {
        List<StepSource> out = new ArrayList<>();
        for (StageGraph.SourceRef ref : command.sources()) {
            StageGraph.Node source = ref.node();
            if (source.isFiles()) {
                // A named context read by name, whether it replaces a stage or stands for an image.
                out.add(new StepSource.Context(ref.written(), source.contextName));
            } else if (source.isStage()) {
                if (source.position >= node.position) {
                    throw new DockerfileException(file, command.range(), notYetDefined(node, command, ref, mounts));
                }
                out.add(new StepSource.Stage(ref.written(), source.stage.index()));
            } else if (source.isScratch()) {
                out.add(new StepSource.Scratch(ref.written()));
            } else {
                out.add(new StepSource.Image(ref.written(), source.image));
            }
        }
        return out;
    }

    private static String notYetDefined(StageGraph.Node node, StageGraph.Command command, StageGraph.SourceRef ref,
                                        List<Mount> mounts) {
        if (command.instruction() instanceof CopyInstruction) {
            return "cannot copy from stage " + GoQuote.quote(ref.written()) + ", it needs to be defined before "
                    + "current stage " + GoQuote.quote(node.displayName());
        }
        String target = mounts.stream().filter(m -> m.from().equals(ref.written())).map(Mount::target)
                .findFirst().orElse("");
        return "cannot mount from stage " + GoQuote.quote(ref.written()) + " to " + GoQuote.quote(target)
                + ", stage needs to be defined before current command";
    }

    /**
     * convert_runmount.go dispatchRunMounts: a cache, tmpfs or bind mount whose target (relative ones joined to
     * the working directory; an empty one is the working directory itself) is the root is refused while the
     * Dockerfile is converted, before any step runs, as is an ssh mount with a source.
     */
    private void checkMountTargets(List<Mount> mounts, String workingDir, SourceRange range)
            throws DockerfileException {
        for (Mount mount : mounts) {
            if (mount.type() == MountType.SSH && !mount.source().isEmpty()) {
                // convert_ssh.go dispatchSSH, in the mounts' order.
                throw new DockerfileException(file, range, "ssh does not support source");
            }
            if (mount.type() == MountType.SECRET || mount.type() == MountType.SSH) {
                continue;
            }
            String target = mount.target();
            if (!GoPaths.clean(target).startsWith("/")) {
                target = Workdirs.join(workingDir.isEmpty() ? "/" : workingDir, target);
            }
            if (target.equals("/")) {
                throw new DockerfileException(file, range, "invalid mount target " + GoQuote.quote(target));
            }
        }
    }

    private DockerfileException located(SourceRange range, DockerfileException e) {
        return e.range().isPresent() ? e : new DockerfileException(file, range, e.reason(), e);
    }
}
