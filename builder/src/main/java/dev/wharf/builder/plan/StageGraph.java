package dev.wharf.builder.plan;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.instructions.Stage;
import dev.wharf.grammar.parser.Word;
import dev.wharf.grammar.shell.EnvGetter;
import dev.wharf.grammar.shell.ShellExpansionException;
import dev.wharf.grammar.shell.ShellLexer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The stages of a Dockerfile and the images their {@code --from}s name, with the dependencies between them:
 * BuildKit's {@code dispatchStates} with {@code buildDispatchStates}, {@code buildStageDependencyGraph} and
 * {@code validateCircularDependency} (dockerfile2llb/convert.go, validations.go).
 *
 * <p>Working state of one planning run: mutable, not thread-safe, never leaves the planner.
 */
final class StageGraph {

    /** A stage of the Dockerfile or an image named by a {@code --from}. */
    static final class Node {
        final int position;
        /** Null for an image node. */
        final Stage stage;
        final String baseName;
        final SourceRange range;
        final Platform platform;
        final Map<String, String> fromArgs;
        /** The earlier stage this one is built FROM, or null. */
        final Node base;
        final List<Command> commands = new ArrayList<>();
        final Map<Node, Command> deps = new LinkedHashMap<>();
        /** The resolved base image; null for scratch and stage bases. */
        BaseImage image;
        /** The named context this node's base (or, when {@link #replaced}, the whole stage) is; null for none. */
        NamedContextRef context;
        /** The normalized name of {@link #context}. */
        String contextName;
        /** True for a stage a named context of its name replaces: its commands are not built. */
        boolean replaced;
        boolean resolved;
        boolean triggersLoaded;

        Node(int position, Stage stage, String baseName, SourceRange range, Platform platform,
             Map<String, String> fromArgs, Node base) {
            this.position = position;
            this.stage = stage;
            this.baseName = baseName;
            this.range = range;
            this.platform = platform;
            this.fromArgs = fromArgs;
            this.base = base;
        }

        boolean isStage() {
            return stage != null;
        }

        boolean isScratch() {
            if (context != null) {
                return context instanceof NamedContextRef.Image image && image.reference().equals(Planner.SCRATCH);
            }
            return base == null && Planner.SCRATCH.equals(baseName);
        }

        /** True when the node's files come from a named context that is no image. */
        boolean isFiles() {
            return context instanceof NamedContextRef.Files;
        }

        String displayName() {
            return stage.name().orElse("stage-" + stage.index());
        }
    }

    /** An instruction with the stages and images it reads. */
    record Command(Instruction instruction, SourceRange range, List<SourceRef> sources, boolean onBuild) {
        Command {
            sources = List.copyOf(sources);
        }
    }

    /** One {@code --from} and the node it names. */
    record SourceRef(String written, Node node) {
    }

    private final String file;
    private boolean mountsWithoutFrom;
    private int dispatchStates;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Node> byName = new HashMap<>();
    private final Map<String, Node> images = new HashMap<>();
    private final int stageCount;
    private final Map<String, NamedContextRef> contexts;

    private StageGraph(String file, int stageCount, Map<String, NamedContextRef> contexts) {
        this.file = file;
        this.stageCount = stageCount;
        this.contexts = contexts;
    }

    /** One node per stage, FROM lines expanded in the global scope, and their commands with dependencies. */
    static StageGraph create(String file, List<Stage> stages, GlobalScope global, Platform platform,
                             ShellLexer lexer, Map<String, NamedContextRef> contexts) throws DockerfileException {
        StageGraph graph = new StageGraph(file, stages.size(), contexts);
        for (Stage stage : stages) {
            graph.addStage(stage, global, platform, lexer);
        }
        for (Node node : List.copyOf(graph.nodes)) {
            if (node.replaced) {
                continue;
            }
            for (Instruction instruction : node.stage.commands()) {
                graph.addCommand(node, graph.command(instruction, instruction.range(), false, lexer), false);
            }
        }
        graph.checkCycles();
        graph.dispatchStates = graph.nodes.size() + (graph.mountsWithoutFrom ? 1 : 0);
        return graph;
    }

    /**
     * How many dispatch states BuildKit's list holds once the commands are read (convert.go
     * buildStageDependencyGraph): the stages, the images read with {@code --from}, and the placeholder scratch
     * state that every {@code RUN --mount} without {@code from=} adds (detectRunMount). With only one, the stage
     * loses its name in progress ({@code [1/2]} rather than {@code [stage-0 1/2]}).
     */
    int dispatchStates() {
        return dispatchStates;
    }

    private void addStage(Stage stage, GlobalScope global, Platform platform, ShellLexer lexer)
            throws DockerfileException {
        SourceRange range = stage.from().range();
        Expander expander = new Expander(file, lexer, global.args(), range);
        String baseName = expander.expand(stage.baseName().text());
        if (baseName.isEmpty()) {
            throw new DockerfileException(file, range,
                    "base name (" + stage.baseName().text() + ") should not be blank");
        }
        Platform stagePlatform = platform;
        if (stage.platform().isPresent()) {
            String written = stage.platform().get().text();
            String value = expander.expand(written);
            if (value.isEmpty()) {
                throw new DockerfileException(file, range, "empty platform value from expression " + written);
            }
            try {
                stagePlatform = Platform.parse(value, platform);
            } catch (DockerfileException e) {
                // dockerfile2llb wraps platforms.Parse's error so (convert.go).
                throw new DockerfileException(file, range, "failed to parse platform " + value + ": " + e.reason(), e);
            }
            if (!stagePlatform.equals(platform)) {
                throw new DockerfileException(file, range, "platform " + stagePlatform.format()
                        + " is not supported: wharf builds for the host platform " + platform.format()
                        + " only; remove --platform or set it to $BUILDPLATFORM");
            }
        }
        Map<String, String> fromArgs = new LinkedHashMap<>();
        for (String name : expander.matched()) {
            global.args().get(name).ifPresent(v -> fromArgs.put(name, v));
        }
        // BuildKit looks the base up by the expanded name as written (statesByName, lower-cased keys), among the
        // stages before this one only.
        Node base = byName.get(baseName);
        // dockerfile2llb/convert.go buildDispatchStates: a named context of the stage's name replaces the stage;
        // resolveBaseImage: one of the base's name (not a stage, not scratch) replaces the base image.
        Optional<String> own = stage.name().flatMap(this::contextName);
        Node node;
        if (own.isPresent()) {
            node = new Node(nodes.size(), stage, baseName, range, stagePlatform, fromArgs, null);
            node.replaced = true;
            node.contextName = own.get();
        } else {
            node = new Node(nodes.size(), stage, baseName, range, stagePlatform, fromArgs, base);
            if (base == null) {
                node.contextName = contextName(baseName).orElse(null);
            }
        }
        if (node.contextName != null) {
            node.context = contexts.get(node.contextName);
        }
        nodes.add(node);
        stage.name().ifPresent(name -> byName.put(name, node));
    }

    /** The stage named {@code name}, compared case-insensitively ({@code findStateByName}). */
    Optional<Node> stageNamed(String name) {
        return Optional.ofNullable(byName.get(name.toLowerCase(Locale.ROOT)));
    }

    /** Every node, stages first, in order. */
    List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The last stage. */
    Node last() {
        return nodes.get(stageCount - 1);
    }

    /** {@code node} and every node it needs, through FROM and {@code --from} (BuildKit's allReachableStages). */
    Set<Node> reachable(Node target) {
        Set<Node> out = new LinkedHashSet<>();
        List<Node> work = new ArrayList<>(List.of(target));
        while (!work.isEmpty()) {
            Node n = work.remove(work.size() - 1);
            if (out.add(n)) {
                if (n.base != null) {
                    work.add(n.base);
                }
                work.addAll(n.deps.keySet());
            }
        }
        return out;
    }

    /** Adds {@code command} to {@code node} (at the front for ONBUILD triggers) and records its dependencies. */
    void addCommand(Node node, Command command, boolean front) {
        if (front) {
            node.commands.add(0, command);
        } else {
            node.commands.add(command);
        }
        for (SourceRef ref : command.sources()) {
            node.deps.put(ref.node(), command);
        }
    }

    /**
     * The command for {@code instruction} with the nodes it reads: BuildKit's {@code toCommand} and
     * {@code detectRunMount}.
     */
    Command command(Instruction instruction, SourceRange range, boolean onBuild, ShellLexer lexer)
            throws DockerfileException {
        List<SourceRef> sources = new ArrayList<>();
        if (instruction instanceof CopyInstruction copy && copy.from().isPresent()) {
            Word from = copy.from().get();
            sources.add(new SourceRef(from.text(), copySource(from.text(), range, lexer)));
        } else if (instruction instanceof RunInstruction run) {
            for (Word spec : run.mountSpecs()) {
                String from = MountSources.from(spec);
                // A mount without from= reads the build context (or nothing); BuildKit's placeholder "scratch"
                // source for it has no effect on the graph, only on the stage's name in progress.
                if (!from.isEmpty()) {
                    // The image's state has no location in BuildKit (detectRunMount adds a stage of only a
                    // BaseName), so a failure to resolve it shows no Dockerfile lines.
                    Node node = stageNamed(from).orElseGet(() -> image(from, null));
                    sources.add(new SourceRef(from, node));
                } else if (!onBuild) {
                    mountsWithoutFrom = true;
                }
            }
        }
        return new Command(instruction, range, sources, onBuild);
    }

    private Node copySource(String from, SourceRange range, ShellLexer lexer) throws DockerfileException {
        String literal;
        try {
            literal = lexer.processWordWithMatches(from, EnvGetter.empty()).value();
        } catch (ShellExpansionException e) {
            // toCommand in dockerfile2llb/convert.go returns shell.Lex's error as is: `failed to process "<word>": ...`
            throw new DockerfileException(file, range, e.getMessage(), e);
        }
        if (!literal.equals(from)) {
            throw new DockerfileException(file, range, "variable expansion is not supported for --from, define a "
                    + "new stage with FROM using ARG from global scope as a workaround");
        }
        Optional<Long> index = GoAtoi.parse(from);
        if (index.isPresent()) {
            long i = index.get();
            // Only Dockerfile stages can be named by index: BuildKit's list also holds images added while the
            // graph is built, but reaching those by number is an accident of its implementation.
            if (i < 0 || i >= stageCount) {
                // BuildKit's error has no location here (dockerfile2llb returns a bare error), so buildx prints
                // the ERROR line alone.
                throw new DockerfileException(file, (SourceRange) null, "invalid stage index " + i);
            }
            return nodes.get((int) i);
        }
        return stageNamed(from).orElseGet(() -> image(from, range));
    }

    private Node image(String reference, SourceRange range) {
        return images.computeIfAbsent(reference, ref -> {
            Node node = new Node(nodes.size(), null, ref, range, null, Map.of(), null);
            node.contextName = contextName(ref).orElse(null);
            if (node.contextName != null) {
                node.context = contexts.get(node.contextName);
            }
            nodes.add(node);
            return node;
        });
    }

    /**
     * The normalized name of the named context {@code name} refers to, if there is one: dockerui's {@code
     * NamedContext} normalizes the name as an image reference (familiar form without {@code :latest});
     * {@code scratch} and {@code context} are never named contexts (convert.go {@code namedContextFunc}).
     */
    private Optional<String> contextName(String name) {
        if (contexts.isEmpty() || name.equalsIgnoreCase(Planner.SCRATCH) || name.equalsIgnoreCase("context")) {
            return Optional.empty();
        }
        String key;
        try {
            key = dev.wharf.layers.registry.ImageReference.parse(name).familiar();
        } catch (dev.wharf.layers.registry.InvalidReferenceException | RuntimeException e) {
            return Optional.empty();
        }
        if (key.endsWith(":latest")) {
            key = key.substring(0, key.length() - ":latest".length());
        }
        return contexts.containsKey(key) ? Optional.of(key) : Optional.empty();
    }

    /**
     * Fails on a dependency cycle, naming the stage the search started from and located at every command of the
     * cycle: BuildKit's {@code validateCircularDependency}.
     */
    private void checkCycles() throws DockerfileException {
        Set<Node> visited = new HashSet<>();
        for (Node node : nodes) {
            if (!node.isStage()) {
                continue;
            }
            List<Command> path = visit(node, new ArrayList<>(), visited, new HashSet<>());
            if (path != null) {
                // validateCircularDependency wraps the error in each command's location in turn, so buildx prints
                // the last command of the cycle first; the first stays this exception's main range.
                List<dev.wharf.grammar.SourceRange> ranges = new ArrayList<>();
                for (int i = path.size() - 1; i >= 0; i--) {
                    ranges.add(path.get(i).range());
                }
                throw DockerfileException.atEach(file, ranges,
                        "circular dependency detected on stage: " + node.displayName());
            }
        }
    }

    private static List<Command> visit(Node node, List<Command> current, Set<Node> visited, Set<Node> path) {
        if (!visited.add(node)) {
            return null;
        }
        path.add(node);
        for (Map.Entry<Node, Command> dep : node.deps.entrySet()) {
            List<Command> next = new ArrayList<>(current);
            next.add(dep.getValue());
            if (path.contains(dep.getKey())) {
                return next;
            }
            List<Command> found = visit(dep.getKey(), next, visited, path);
            if (found != null) {
                return found;
            }
        }
        path.remove(node);
        return null;
    }
}
