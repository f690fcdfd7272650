package dev.wharf.builder.plan;

import dev.wharf.builder.plan.lint.CheckConfig;
import dev.wharf.builder.plan.lint.CheckRule;
import dev.wharf.builder.plan.lint.CheckWarning;
import dev.wharf.builder.plan.lint.Checks;
import dev.wharf.builder.plan.lint.DockerfileChecks;
import dev.wharf.context.ContextException;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.OnbuildInstruction;
import dev.wharf.grammar.shell.ShellLexer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Plans a build: from a typed Dockerfile and a {@link PlanRequest} to an immutable {@link BuildPlan}, the way
 * BuildKit's {@code toDispatchState} (dockerfile2llb/convert.go) goes from instructions to a build graph:
 * global ARGs, FROM lines, the stage graph and its cycles, the target, the stages it needs, base images and
 * their ONBUILD triggers, then each needed stage in order.
 *
 * <p>No I/O: base-image metadata comes only from the injected {@link ImageConfigResolver}. Thread-safe if the
 * resolver is.
 */
public final class Planner {

    /** The name of the empty base image. */
    static final String SCRATCH = "scratch";

    /** The build arg that overrides the {@code # check=} directive (dockerui/config.go keyDockerfileLintArg). */
    public static final String CHECK_BUILD_ARG = "BUILDKIT_DOCKERFILE_CHECK";

    private final ImageConfigResolver resolver;
    private final Optional<PatternMatcher> ignore;

    public Planner(ImageConfigResolver resolver) {
        this(resolver, Optional.empty());
    }

    private Planner(ImageConfigResolver resolver, Optional<PatternMatcher> ignore) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.ignore = ignore;
    }

    /**
     * This planner with the build context's {@code .dockerignore} patterns, for the CopyIgnoredFile check (none:
     * no check). Patterns that do not compile turn the check off; the context's own reading reports them.
     */
    public Planner withDockerIgnore(List<String> patterns) {
        if (patterns.isEmpty()) {
            return new Planner(resolver, Optional.empty());
        }
        try {
            return new Planner(resolver, Optional.of(PatternMatcher.of(patterns)));
        } catch (ContextException e) {
            return new Planner(resolver, Optional.empty());
        }
    }

    /**
     * The plan for building {@code request}'s target of {@code dockerfile}.
     *
     * @throws DockerfileException when the Dockerfile cannot be built as asked: an unknown target or stage, a
     *                             cycle, a bad expansion, an unsupported platform, a base image that cannot be
     *                             resolved; located at the offending line
     */
    public BuildPlan plan(Dockerfile dockerfile, PlanRequest request) throws DockerfileException {
        return plan(dockerfile, request, false);
    }

    /**
     * The build checks of {@code dockerfile} without building it: every stage is planned, as BuildKit's lint
     * subrequest does when no target is given ({@code DockerfileLint}, {@code AllStages}); with a target, the
     * stages it needs. What stops planning (a bad expansion, a missing base image) comes back as the result's
     * error, after the findings made before it.
     */
    public CheckResult check(Dockerfile dockerfile, PlanRequest request) {
        List<CheckWarning> found = new ArrayList<>();
        try {
            BuildPlan plan = plan(dockerfile, request, request.target().filter(t -> !t.isEmpty()).isEmpty(), found);
            return new CheckResult(checkWarnings(plan.warnings()), Optional.empty());
        } catch (DockerfileException e) {
            return new CheckResult(found, Optional.of(e));
        }
    }

    /**
     * What building {@code request}'s target of {@code dockerfile} takes, without planning it: BuildKit's outline
     * subrequest ({@code Dockerfile2Outline}), which resolves the base images of the stages the target needs, as a
     * build does, so that ARG defaults are expanded in their environments.
     *
     * @param source the Dockerfile's text, which the outline carries
     * @throws DockerfileException as {@link #plan(Dockerfile, PlanRequest)} for an unknown target, a bad
     *                             expansion or a base image that cannot be resolved
     */
    public dev.wharf.builder.api.BuildOutline outline(String source, Dockerfile dockerfile, PlanRequest request)
            throws DockerfileException {
        String file = request.file();
        Optional<String> wanted = wantedTarget(file, dockerfile, request);
        String targetName = targetName(dockerfile, wanted);
        ShellLexer lexer = ShellLexer.create(dockerfile.directives().escapeChar());
        GlobalScope global = GlobalScope.build(file, request.platform(), targetName, request.buildArgs(),
                dockerfile.metaArgs(), lexer);
        StageGraph graph = StageGraph.create(file, dockerfile.stages(), global, request.platform(), lexer,
                request.namedContexts());
        StageGraph.Node target = target(file, graph, wanted);
        // The checks' findings are no part of an outline.
        resolveStages(file, graph, target, request.platform(), lexer,
                Checks.under(checkConfig(file, dockerfile, request)));
        return Outlines.outline(file, source, dockerfile, request.buildArgs(), graph, target, global,
                request.platform(), lexer);
    }

    private BuildPlan plan(Dockerfile dockerfile, PlanRequest request, boolean allStages) throws DockerfileException {
        return plan(dockerfile, request, allStages, new ArrayList<>());
    }

    /**
     * {@link #plan(Dockerfile, PlanRequest)}, adding the build checks' findings to {@code found} also when planning
     * fails: BuildKit streams them as they are made, so a failed build still shows the warnings before its error.
     */
    public BuildPlan plan(Dockerfile dockerfile, PlanRequest request, List<CheckWarning> found)
            throws DockerfileException {
        return plan(dockerfile, request, false, found);
    }

    private static List<CheckWarning> checkWarnings(List<PlanWarning> warnings) {
        return warnings.stream().flatMap(w -> w.check().stream()).toList();
    }

    /** {@code found} receives the check findings as they are made, for a caller whose planning fails. */
    private BuildPlan plan(Dockerfile dockerfile, PlanRequest request, boolean allStages, List<CheckWarning> found)
            throws DockerfileException {
        String file = request.file();
        Checks checks = Checks.under(checkConfig(file, dockerfile, request));
        try {
            return plan(dockerfile, request, allStages, checks);
        } finally {
            found.addAll(checks.warnings());
        }
    }

    private BuildPlan plan(Dockerfile dockerfile, PlanRequest request, boolean allStages, Checks checks)
            throws DockerfileException {
        String file = request.file();
        DockerfileChecks.run(dockerfile, checks);
        Optional<String> wanted = wantedTarget(file, dockerfile, request);
        String targetName = targetName(dockerfile, wanted);
        ShellLexer lexer = ShellLexer.create(dockerfile.directives().escapeChar());
        FromChecks.defaultArgs(file, dockerfile, request, targetName, lexer, checks);
        GlobalScope global = GlobalScope.build(file, request.platform(), targetName, request.buildArgs(),
                dockerfile.metaArgs(), lexer);
        FromChecks.stages(dockerfile, global, request.platform(), lexer, checks);
        OptionalLong epoch = sourceDateEpoch(file, request, global);

        StageGraph graph = StageGraph.create(file, dockerfile.stages(), global, request.platform(), lexer,
                request.namedContexts());
        StageGraph.Node target = target(file, graph, wanted);

        Set<StageGraph.Node> reachable = new HashSet<>(
                resolveStages(file, graph, target, request.platform(), lexer, checks));
        if (allStages) {
            for (StageGraph.Node node : graph.nodes()) {
                if (node.isStage()) {
                    reachable.addAll(resolveStages(file, graph, node, request.platform(), lexer, checks));
                }
            }
        }

        StageDispatcher dispatcher = new StageDispatcher(file, lexer, request, global, checks, ignore,
                RunDevices.labs(dockerfile.directives().syntax(), request.buildArgs()));
        Map<StageGraph.Node, StageDispatcher.Result> done = new LinkedHashMap<>();
        for (StageGraph.Node node : graph.nodes()) {
            if (node.isStage() && reachable.contains(node)) {
                done.put(node, dispatcher.dispatch(node, done));
            }
        }
        Optional<String> violation = checks.violation();
        if (violation.isPresent()) {
            // finalizeResultImage: with error=true, findings fail the build once its stages are dispatched.
            throw new DockerfileException(file, checks.warnings().get(0).range().orElse(null), violation.get());
        }
        List<PlanWarning> warnings = new ArrayList<>();
        // No warning for build args no ARG consumed: that is the classic builder's; BuildKit's dockerfile frontend
        // (dockerfile2llb/convert.go) and buildx say nothing about them.
        checks.warnings().forEach(w -> warnings.add(PlanWarning.of(w)));
        List<PlannedStage> stages = done.values().stream().map(StageDispatcher.Result::stage).toList();
        return new BuildPlan(stages, target.stage.index(), request.platform(), global.args().toMap(),
                ProxyEnv.fromBuildArgs(request.buildArgs()), epoch, warnings, graph.dispatchStates());
    }

    /** The {@code --target} asked for, if any; fails as BuildKit for a Dockerfile without stages. */
    private static Optional<String> wantedTarget(String file, Dockerfile dockerfile, PlanRequest request)
            throws DockerfileException {
        if (dockerfile.stages().isEmpty()) {
            throw new DockerfileException(file, null, "dockerfile contains no stages to build");
        }
        return request.target().filter(t -> !t.isEmpty());
    }

    /** The target's name for the predefined TARGETSTAGE: the wanted one, else the last stage's ("" unnamed). */
    private static String targetName(Dockerfile dockerfile, Optional<String> wanted) {
        return wanted.orElseGet(() -> dockerfile.stages().get(dockerfile.stages().size() - 1).name().orElse(""));
    }

    /** The stage node to build: the wanted one (BuildKit's error when there is none), else the last. */
    private static StageGraph.Node target(String file, StageGraph graph, Optional<String> wanted)
            throws DockerfileException {
        if (wanted.isEmpty()) {
            return graph.last();
        }
        Optional<StageGraph.Node> node = graph.stageNamed(wanted.get());
        if (node.isPresent()) {
            return node.get();
        }
        // resolveTarget's suggest.WrapError over the stages' names (an unnamed one's being stage-N), case-sensitive.
        List<String> names = graph.nodes().stream().filter(StageGraph.Node::isStage)
                .map(StageGraph.Node::displayName).toList();
        String match = dev.wharf.grammar.instructions.Suggest.search(wanted.get(), names, true);
        throw new DockerfileException(file, null, "target stage " + GoQuote.quote(wanted.get())
                + " could not be found" + (match.isEmpty() ? "" : " (did you mean " + match + "?)"));
    }

    /**
     * Finds the stages {@code target} needs and resolves their base images, adding ONBUILD triggers until they
     * bring no new dependency: BuildKit's {@code resolveStages}.
     */
    private Set<StageGraph.Node> resolveStages(String file, StageGraph graph, StageGraph.Node target,
                                               Platform platform, ShellLexer lexer, Checks warnings)
            throws DockerfileException {
        while (true) {
            Set<StageGraph.Node> reachable = graph.reachable(target);
            for (StageGraph.Node node : graph.nodes()) {
                if (reachable.contains(node) && node.base == null && !node.resolved) {
                    node.resolved = true;
                    if (node.context instanceof NamedContextRef.Image image && !node.isScratch()) {
                        node.image = resolve(file, node, image.reference(), "[context " + node.contextName + "] ",
                                platform, warnings);
                    } else if (node.context == null && !node.isScratch()) {
                        node.image = resolve(file, node, node.baseName, "", platform, warnings);
                    }
                }
            }
            boolean newDeps = false;
            for (StageGraph.Node node : graph.nodes()) {
                if (!reachable.contains(node) || !node.isStage() || node.triggersLoaded || node.replaced) {
                    continue;
                }
                node.triggersLoaded = true;
                List<String> triggers = new ArrayList<>();
                if (node.image != null) {
                    triggers.addAll(node.image.config().onBuild());
                }
                if (node.base != null && !node.base.replaced) {
                    for (Instruction instruction : node.base.stage.commands()) {
                        if (instruction instanceof OnbuildInstruction onbuild) {
                            triggers.add(onbuild.expression());
                        }
                    }
                }
                List<StageGraph.Command> commands = new ArrayList<>();
                for (String trigger : triggers) {
                    Instruction instruction = OnbuildTriggers.parse(file, trigger, node.range);
                    commands.add(graph.command(instruction, node.range, true, lexer));
                }
                for (int i = commands.size() - 1; i >= 0; i--) {
                    graph.addCommand(node, commands.get(i), true);
                    newDeps |= !commands.get(i).sources().isEmpty();
                }
            }
            if (!newDeps) {
                return reachable;
            }
        }
    }

    private BaseImage resolve(String file, StageGraph.Node node, String reference, String prefix, Platform platform,
                              Checks warnings) throws DockerfileException {
        Optional<String> problem = ImageReferences.problem(reference);
        if (problem.isPresent() && !prefix.isEmpty()) {
            // A docker-image:// context is parsed only here, where it is used: namedcontext.go returns
            // ParseNormalizedNamed's error as is ("invalid reference format: repository name (library/UPPER) must
            // be lowercase", buildx 0.13.1).
            throw new DockerfileException(file, node.range, problem.get());
        }
        if (problem.isPresent()) {
            throw new DockerfileException(file, node.range, "failed to parse stage name "
                    + GoQuote.quote(reference) + ": " + problem.get());
        }
        BaseImage image;
        try {
            image = resolver.resolve(reference, platform);
        } catch (ImageResolutionException e) {
            throw new DockerfileException(file, node.range, prefix + reference + ": " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalStateException("ImageConfigResolver returned null for " + reference);
        }
        if (!image.platform().os().equals(platform.os())
                || !image.platform().architecture().equals(platform.architecture())) {
            // BuildKit's validateBaseImagePlatform lint (InvalidBaseImagePlatform): OS and architecture only.
            warnings.withComments(node.stage.from().comments()).report(CheckRule.INVALID_BASE_IMAGE_PLATFORM,
                    node.range, "Base image " + node.baseName + " was pulled with platform "
                    + GoQuote.quote(image.platform().format()) + ", expected " + GoQuote.quote(platform.format())
                    + " for current build");
        }
        return image;
    }

    /**
     * The check configuration: the {@code BUILDKIT_DOCKERFILE_CHECK} build arg when given (it replaces the
     * directive), else the {@code # check=} directive (dockerfile2llb newRuleLinter, dockerui/config.go).
     */
    private static CheckConfig checkConfig(String file, Dockerfile dockerfile, PlanRequest request)
            throws DockerfileException {
        String arg = request.buildArgs().get(CHECK_BUILD_ARG);
        if (arg != null) {
            try {
                return CheckConfig.parse(arg);
            } catch (IllegalArgumentException e) {
                throw new DockerfileException(file, null, "failed to parse build-arg:" + CHECK_BUILD_ARG + ": "
                        + e.getMessage());
            }
        }
        try {
            return CheckConfig.parse(dockerfile.directives().check().orElse(""));
        } catch (IllegalArgumentException e) {
            throw new DockerfileException(file, null, "failed to parse check options: " + e.getMessage());
        }
    }

    /** SOURCE_DATE_EPOCH from the build args or a global ARG: seconds since 1970 (BuildKit's getBuildArgValue). */
    private static OptionalLong sourceDateEpoch(String file, PlanRequest request, GlobalScope global)
            throws DockerfileException {
        String value = request.buildArgs().get("SOURCE_DATE_EPOCH");
        if (value == null) {
            value = global.args().get("SOURCE_DATE_EPOCH").orElse("");
        }
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        Optional<Long> seconds = GoAtoi.parse(value);
        if (seconds.isEmpty()) {
            throw new DockerfileException(file, null, "invalid SOURCE_DATE_EPOCH: " + value
                    + " (wharf supports a number of seconds since 1970 only)");
        }
        return OptionalLong.of(seconds.get());
    }
}
