package dev.wharf.builder.plan;

import dev.wharf.builder.api.BuildOutline;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.instructions.ArgDefinition;
import dev.wharf.grammar.instructions.ArgInstruction;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.EnvInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.KeyValue;
import dev.wharf.grammar.instructions.Mount;
import dev.wharf.grammar.instructions.MountType;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.shell.ShellLexer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Makes the {@link BuildOutline} of a target as BuildKit's dockerfile frontend does (dockerfile2llb/outline.go and
 * the {@code outline} bookkeeping of convert.go): the global ARGs with the variables their defaults read, each stage
 * starting from a copy of the global (or its base stage's) record, the global ARGs its FROM line reads, its own
 * ARGs ({@code dispatchArg}: a build arg, else the default expanded in the stage's environment; an ARG without
 * either that takes a global value keeps the global's record), its RUN steps' secret and ssh mounts
 * ({@code dispatchSecret}, {@code dispatchSSH}); then the target's, its bases' and its dependencies' records,
 * each name once, ordered by line. A stage's environment holds its base image's (PATH added when missing), then
 * what its ARG and ENV lines and its base stages set, so a default such as {@code $HOME/x} reads the image's
 * {@code HOME}, as under BuildKit, which resolves the base images of the stages the target needs for an outline
 * too. Stateless.
 */
public final class Outlines {
    private Outlines() {
    }

    /**
     * The outline of {@code wanted}, a stage of {@code graph}, whose reachable stages the planner has resolved
     * ({@link Planner#outline}): their base images' environments are where ARG defaults are expanded, as in
     * BuildKit's {@code dispatchStages}.
     */
    static BuildOutline outline(String file, String source, Dockerfile dockerfile, Map<String, String> buildArgs,
                                StageGraph graph, StageGraph.Node wanted, GlobalScope global, Platform platform,
                                ShellLexer lexer) throws DockerfileException {
        String targetName = wanted.stage.name().orElse("");
        Record globals = new Record();
        EnvList metaEnv = GlobalScope.predefined(platform, targetName, buildArgs);
        for (ArgInstruction instruction : dockerfile.metaArgs()) {
            for (ArgDefinition def : instruction.args()) {
                String value = buildArgs.get(def.key());
                Set<String> deps = new LinkedHashSet<>();
                if (value == null && def.defaultValue().isPresent()) {
                    Expander expander = new Expander(file, lexer, metaEnv, instruction.range());
                    value = expander.expand(def.defaultValue().get());
                    deps.addAll(expander.matched());
                    if (deps.remove(def.key()) && globals.args.containsKey(def.key())) {
                        deps.addAll(globals.args.get(def.key()).deps);
                    }
                }
                if (value != null) {
                    metaEnv = metaEnv.addOrReplace(def.key(), value);
                }
                globals.args.put(def.key(), new ArgInfo(def, value == null ? "" : value, instruction.range(), deps));
            }
        }

        // buildDispatchStates: each stage's record is a copy of the global one, or of its base stage's as that was
        // after the base's FROM, plus the global ARGs its own FROM read.
        Map<StageGraph.Node, Record> records = new HashMap<>();
        Map<StageGraph.Node, EnvList> envs = new HashMap<>();
        List<StageGraph.Node> stages = graph.nodes().stream().filter(StageGraph.Node::isStage).toList();
        for (StageGraph.Node node : stages) {
            Record record = node.base != null && records.containsKey(node.base) ? records.get(node.base).copy()
                    : globals.copy();
            record.used.addAll(node.fromArgs.keySet());
            records.put(node, record);
        }
        Map<StageGraph.Node, Record> dispatched = new HashMap<>();
        for (StageGraph.Node node : stages) {
            Record record = records.get(node).copy();
            EnvList env = node.base != null && envs.containsKey(node.base) ? envs.get(node.base) : baseEnv(node);
            for (Instruction instruction : node.stage.commands()) {
                if (instruction instanceof EnvInstruction envInstruction) {
                    for (KeyValue kv : envInstruction.pairs()) {
                        Expander expander = new Expander(file, lexer, env, instruction.range());
                        env = env.addOrReplace(expander.expand(kv.key().text()), expander.expand(kv.value().text()));
                    }
                } else if (instruction instanceof ArgInstruction arg) {
                    env = dispatchArg(file, lexer, arg, env, global, buildArgs, record);
                } else if (instruction instanceof RunInstruction run) {
                    for (Mount m : run.mounts(new Expander(file, lexer, env, instruction.range()))) {
                        mount(m, instruction.range(), record);
                    }
                }
            }
            envs.put(node, env);
            dispatched.put(node, record);
        }

        List<BuildOutline.Arg> args = new ArrayList<>();
        collectArgs(wanted, dispatched, new HashSet<>(), args, new HashSet<>());
        args.sort(Comparator.comparingInt(BuildOutline.Arg::line));
        List<BuildOutline.Mounted> secrets = new ArrayList<>();
        collectMounts(wanted, dispatched, true, new HashSet<>(), secrets, new HashSet<>());
        secrets.sort(Comparator.comparingInt(BuildOutline.Mounted::line));
        List<BuildOutline.Mounted> ssh = new ArrayList<>();
        collectMounts(wanted, dispatched, false, new HashSet<>(), ssh, new HashSet<>());
        ssh.sort(Comparator.comparingInt(BuildOutline.Mounted::line));
        return new BuildOutline(wanted.stage.name().orElse(""), wanted.stage.docComment(), args, secrets, ssh,
                source);
    }

    /**
     * The environment a stage starts with when its base is no stage: its base image's (resolved only when the
     * target needs the stage), with PATH added when the image lacks it, as convert.go's dispatchStages seeds
     * {@code d.state}; scratch and a named context without an image have PATH alone (emptyImage).
     */
    private static EnvList baseEnv(StageGraph.Node node) {
        EnvList env = EnvList.empty();
        if (node.image != null) {
            for (String entry : node.image.config().env()) {
                EnvEntry e = EnvEntry.parse(entry);
                env = env.addOrReplace(e.key(), e.value());
            }
        }
        if (env.get("PATH").isEmpty()) {
            env = env.addOrReplace("PATH", StageDispatcher.DEFAULT_PATH);
        }
        return env;
    }

    private static EnvList dispatchArg(String file, ShellLexer lexer, ArgInstruction arg, EnvList env,
                                       GlobalScope global, Map<String, String> buildArgs, Record record)
            throws DockerfileException {
        for (ArgDefinition def : arg.args()) {
            String value = buildArgs.get(def.key());
            boolean inherited = false;
            if (value == null && def.defaultValue().isEmpty()) {
                Optional<String> fromGlobal = global.args().get(def.key());
                if (fromGlobal.isPresent()) {
                    value = fromGlobal.get();
                    inherited = true;
                }
            } else if (value == null) {
                value = new Expander(file, lexer, env, arg.range()).expand(def.defaultValue().get());
            }
            if (value != null) {
                env = env.addOrReplace(def.key(), value);
            }
            if (!inherited) {
                record.args.put(def.key(), new ArgInfo(def, value == null ? "" : value, arg.range(), Set.of()));
            }
            record.used.add(def.key());
        }
        return env;
    }

    private static void mount(Mount m, SourceRange lines, Record record) {
        if (m.type() == MountType.SECRET) {
            String id = MountIds.secret(m);
            record.secrets.putIfAbsent(id, new BuildOutline.Mounted(id, m.required(), lines.start().line(), lines.end().line()));
        } else if (m.type() == MountType.SSH) {
            String id = MountIds.ssh(m);
            record.ssh.putIfAbsent(id, new BuildOutline.Mounted(id, m.required(), lines.start().line(), lines.end().line()));
        }
    }

    /** outline.go {@code args}: the stage's used ARGs (with what their defaults read), then its base's, its deps'. */
    private static void collectArgs(StageGraph.Node node, Map<StageGraph.Node, Record> records, Set<String> visited,
                                    List<BuildOutline.Arg> out, Set<StageGraph.Node> seen) {
        Record record = records.get(node);
        if (record == null || !seen.add(node)) {
            return;
        }
        Set<String> used = new LinkedHashSet<>();
        markAllUsed(record, record.used, new HashSet<>(), used);
        for (String k : used) {
            ArgInfo info = record.args.get(k);
            if (info != null && visited.add(k)) {
                out.add(new BuildOutline.Arg(info.definition.key(), info.value, info.definition.docComment(),
                        info.lines.start().line(), info.lines.end().line()));
            }
        }
        if (node.base != null) {
            collectArgs(node.base, records, visited, out, seen);
        }
        for (StageGraph.Node dep : node.deps.keySet()) {
            collectArgs(dep, records, visited, out, seen);
        }
    }

    private static void markAllUsed(Record record, Set<String> in, Set<String> visited, Set<String> used) {
        for (String k : in) {
            if (!visited.add(k)) {
                continue;
            }
            ArgInfo info = record.args.get(k);
            if (info != null) {
                markAllUsed(record, info.deps, visited, used);
            }
            used.add(k);
        }
    }

    private static void collectMounts(StageGraph.Node node, Map<StageGraph.Node, Record> records, boolean secrets,
                                      Set<String> visited, List<BuildOutline.Mounted> out,
                                      Set<StageGraph.Node> seen) {
        Record record = records.get(node);
        if (record == null || !seen.add(node)) {
            return;
        }
        for (BuildOutline.Mounted m : (secrets ? record.secrets : record.ssh).values()) {
            if (visited.add(m.id())) {
                out.add(m);
            }
        }
        if (node.base != null) {
            collectMounts(node.base, records, secrets, visited, out, seen);
        }
        for (StageGraph.Node dep : node.deps.keySet()) {
            collectMounts(dep, records, secrets, visited, out, seen);
        }
    }

    /** One ARG's record: its definition, value, lines and the global ARGs its default read. */
    private record ArgInfo(ArgDefinition definition, String value, SourceRange lines, Set<String> deps) {
    }

    /** A stage's (or the global scope's) outline bookkeeping: convert.go's {@code outlineCapture}. */
    private static final class Record {
        final Map<String, ArgInfo> args = new LinkedHashMap<>();
        final Set<String> used = new LinkedHashSet<>();
        final Map<String, BuildOutline.Mounted> secrets = new LinkedHashMap<>();
        final Map<String, BuildOutline.Mounted> ssh = new LinkedHashMap<>();

        Record copy() {
            Record r = new Record();
            r.args.putAll(args);
            r.used.addAll(used);
            r.secrets.putAll(secrets);
            r.ssh.putAll(ssh);
            return r;
        }
    }
}
