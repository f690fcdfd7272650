package dev.wharf.builder.plan;

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
import java.util.TreeSet;

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

    private final ImageConfigResolver resolver;

    public Planner(ImageConfigResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /**
     * The plan for building {@code request}'s target of {@code dockerfile}.
     *
     * @throws DockerfileException when the Dockerfile cannot be built as asked: an unknown target or stage, a
     *                             cycle, a bad expansion, an unsupported platform, a base image that cannot be
     *                             resolved; located at the offending line
     */
    public BuildPlan plan(Dockerfile dockerfile, PlanRequest request) throws DockerfileException {
        String file = request.file();
        if (dockerfile.stages().isEmpty()) {
            throw new DockerfileException(file, null, "dockerfile contains no stages to build");
        }
        Optional<String> wanted = request.target().filter(t -> !t.isEmpty());
        String targetName = wanted.orElseGet(() ->
                dockerfile.stages().get(dockerfile.stages().size() - 1).name().orElse(""));
        ShellLexer lexer = ShellLexer.create(dockerfile.directives().escapeChar());
        GlobalScope global = GlobalScope.build(file, request.platform(), targetName, request.buildArgs(),
                dockerfile.metaArgs(), lexer);
        OptionalLong epoch = sourceDateEpoch(file, request, global);

        StageGraph graph = StageGraph.create(file, dockerfile.stages(), global, request.platform(), lexer,
                request.namedContexts());
        StageGraph.Node target = wanted.isEmpty() ? graph.last() : graph.stageNamed(wanted.get())
                .orElseThrow(() -> new DockerfileException(file, null,
                        "target stage " + GoQuote.quote(wanted.get()) + " could not be found"));

        List<PlanWarning> warnings = new ArrayList<>();
        Set<StageGraph.Node> reachable = resolveStages(file, graph, target, request.platform(), lexer, warnings);

        StageDispatcher dispatcher = new StageDispatcher(file, lexer, request, global);
        Map<StageGraph.Node, StageDispatcher.Result> done = new LinkedHashMap<>();
        Set<String> consumed = new HashSet<>(global.declared());
        for (StageGraph.Node node : graph.nodes()) {
            if (node.isStage() && reachable.contains(node)) {
                StageDispatcher.Result result = dispatcher.dispatch(node, done);
                done.put(node, result);
                result.args().forEach(a -> consumed.add(a.key()));
            }
        }
        unusedBuildArgs(request, consumed).ifPresent(warnings::add);
        List<PlannedStage> stages = done.values().stream().map(StageDispatcher.Result::stage).toList();
        int stageCount = (int) graph.nodes().stream().filter(StageGraph.Node::isStage).count();
        return new BuildPlan(stages, target.stage.index(), request.platform(), global.args().toMap(),
                ProxyEnv.fromBuildArgs(request.buildArgs()), epoch, warnings, stageCount,
                dockerfile.directives().escapeChar());
    }

    /**
     * Finds the stages {@code target} needs and resolves their base images, adding ONBUILD triggers until they
     * bring no new dependency: BuildKit's {@code resolveStages}.
     */
    private Set<StageGraph.Node> resolveStages(String file, StageGraph graph, StageGraph.Node target,
                                               Platform platform, ShellLexer lexer, List<PlanWarning> warnings)
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
                              List<PlanWarning> warnings) throws DockerfileException {
        Optional<String> problem = ImageReferences.problem(reference);
        if (problem.isPresent()) {
            throw new DockerfileException(file, node.range, prefix + "failed to parse stage name "
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
            warnings.add(new PlanWarning("Base image " + node.baseName + " was pulled with platform "
                    + GoQuote.quote(image.platform().format()) + ", expected " + GoQuote.quote(platform.format())
                    + " for current build", Optional.of(node.range)));
        }
        return image;
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

    /** The build args no ARG declared, as Docker's classic builder reports them. */
    private static Optional<PlanWarning> unusedBuildArgs(PlanRequest request, Set<String> consumed) {
        Set<String> unused = new TreeSet<>();
        for (String name : request.buildArgs().keySet()) {
            // BUILDKIT_* args are options of the frontend (BUILDKIT_INLINE_CACHE ...), not ARGs of the Dockerfile.
            if (!consumed.contains(name) && !GlobalScope.PREDEFINED.contains(name) && !name.startsWith("BUILDKIT_")) {
                unused.add(name);
            }
        }
        if (unused.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PlanWarning("One or more build-args [" + String.join(" ", unused)
                + "] were not consumed", Optional.empty()));
    }
}
