package dev.wharf.builder.exec;

import dev.wharf.builder.plan.Step;
import dev.wharf.cache.CacheKeyInputs;
import dev.wharf.cache.StepIdentity;
import dev.wharf.cache.StepParent;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.instructions.SourceContent;
import dev.wharf.grammar.instructions.SourcesAndDest;
import dev.wharf.grammar.instructions.WorkdirInstruction;
import dev.wharf.grammar.parser.Word;
import dev.wharf.layers.Digest;
import dev.wharf.layers.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cache key inputs of a step: its parent, the instruction after expansion in a canonical form (fields, never
 * source positions or comments, so moving or commenting a line keeps its key), the working directory, for RUN
 * the environment, user and shell it runs with, the build ARGs it used, the platform, the content checksums of
 * what it copies or mounts. Only filesystem steps (RUN, COPY, ADD, WORKDIR) have keys:
 * like BuildKit's build graph, the image config is not part of them (a LABEL does not rerun a later RUN).
 * Stateless.
 */
final class StepKeys {
    /** The run extra holding the build's {@code --network} (when not default): keys RUN steps without their own. */
    static final String BUILD_NETWORK = "buildNetwork";
    /** The run extra holding {@code BUILDKIT_CACHE_MOUNT_NS} (when set): keys the cache ids MountKeys keeps. */
    static final String CACHE_MOUNT_NAMESPACE = "cacheMountNamespace";

    private StepKeys() {
    }

    static CacheKeyInputs inputs(String file, String stage, int index, Step step, String text, StepParent parent,
                                 Platform platform, Map<String, Digest> checksums,
                                 Map<String, List<String>> runExtras) {
        CacheKeyInputs.Builder b = CacheKeyInputs.builder(StepIdentity.forStep(file, stage, index), parent,
                        step.kind())
                .text(text)
                .platform(platform)
                .instruction("workdir", step.environment().workingDir())
                .usedArgs(step.usedArgs(), step.usedArgs().keySet());
        if (step.instruction() instanceof RunInstruction) {
            // Only RUN sees the environment (ARGs included), the user and the shell; for other steps they would
            // only cause misses (an ARG change must not rerun a COPY that does not use it).
            b.instruction("env", step.environment().env())
                    .instruction("user", step.environment().user())
                    .instruction("shell", step.environment().shell());
            // --add-host and --ulimit live in BuildKit's exec op, so they key RUN steps; absent, they add
            // nothing, and keys stay those of builds without them.
            // The cache mount namespace keys a step only through the cache ids BuildKit keeps (MountKeys).
            RunInstruction run = (RunInstruction) step.instruction();
            runExtras.forEach((key, values) -> {
                if (!key.equals(CACHE_MOUNT_NAMESPACE) && (!key.equals(BUILD_NETWORK)
                        || run.network() == dev.wharf.grammar.instructions.NetworkMode.DEFAULT)) {
                    b.instruction(key, values);
                }
            });
        }
        canonical(step, b);
        if (!step.mounts().isEmpty()) {
            String namespace = String.join("", runExtras.getOrDefault(CACHE_MOUNT_NAMESPACE, List.of()));
            b.instruction("mounts", MountKeys.of(step, namespace));
        }
        // The mounts' checksums go in by the mounts' places in BuildKit's order, not in the RUN's.
        checksums.forEach((key, value) -> {
            if (step.mounts().isEmpty() || !RunMounts.isChecksumKey(key)) {
                b.checksum(key, value);
            }
        });
        MountKeys.checksums(step, checksums).forEach(b::checksum);
        // SOURCE_DATE_EPOCH is no input unless the step uses it as a build ARG (then usedArgs has it): the layer
        // is cached unclamped and clamped on export, the history entry dated then (KeyExclusions.SOURCE_DATE_EPOCH).
        return b.build();
    }

    private static void canonical(Step step, CacheKeyInputs.Builder b) {
        Instruction instruction = step.instruction();
        if (instruction instanceof RunInstruction run) {
            b.instruction("cmd", run.command().values());
            b.instruction("prependShell", Boolean.toString(run.command().prependShell()));
            List<String> files = new ArrayList<>();
            run.command().files().forEach(f -> {
                files.add(f.name());
                files.add(f.data());
                files.add(Boolean.toString(f.chomp()));
            });
            b.instruction("heredocs", files);
            b.instruction("network", run.network().name());
            b.instruction("security", run.security().name());
        } else if (instruction instanceof CopyInstruction copy) {
            files(copy.files(), b);
            b.instruction("from", text(copy.from()));
            b.instruction("chown", text(copy.chown()));
            b.instruction("chmod", text(copy.chmod()));
            b.instruction("link", Boolean.toString(copy.link()));
            b.instruction("parents", Boolean.toString(copy.parents()));
            b.instruction("excludes", copy.excludes().stream().map(Word::text).toList());
        } else if (instruction instanceof AddInstruction add) {
            files(add.files(), b);
            b.instruction("chown", text(add.chown()));
            b.instruction("chmod", text(add.chmod()));
            b.instruction("checksum", text(add.checksum()));
            b.instruction("excludes", add.excludes().stream().map(Word::text).toList());
        } else if (instruction instanceof WorkdirInstruction workdir) {
            b.instruction("path", workdir.path().text());
            b.instruction("user", step.environment().user());
        }
    }

    private static void files(SourcesAndDest files, CacheKeyInputs.Builder b) {
        b.instruction("src", files.sourcePaths().stream().map(Word::text).toList());
        b.instruction("dest", files.dest().text());
        List<String> contents = new ArrayList<>();
        for (SourceContent c : files.sourceContents()) {
            contents.add(c.path());
            contents.add(c.data());
        }
        b.instruction("contents", contents);
    }

    private static String text(Optional<Word> word) {
        return word.map(Word::text).orElse("");
    }
}
