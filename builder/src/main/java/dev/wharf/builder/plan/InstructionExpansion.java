package dev.wharf.builder.plan;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.EnvInstruction;
import dev.wharf.grammar.instructions.ExposeInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.KeyValue;
import dev.wharf.grammar.instructions.LabelInstruction;
import dev.wharf.grammar.instructions.Mount;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.instructions.SourceContent;
import dev.wharf.grammar.instructions.SourcesAndDest;
import dev.wharf.grammar.instructions.StopSignalInstruction;
import dev.wharf.grammar.instructions.UserInstruction;
import dev.wharf.grammar.instructions.VolumeInstruction;
import dev.wharf.grammar.instructions.WorkdirInstruction;
import dev.wharf.grammar.parser.Word;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which words of which instruction are expanded, and how: BuildKit's {@code Expand}/{@code ExpandRaw} methods
 * (frontend/dockerfile/instructions/commands.go) as {@code dispatch} (dockerfile2llb/convert.go) calls them, plus
 * EXPOSE, whose ports {@code dispatchExpose} expands and splits into words.
 *
 * <ul>
 *   <li>ENV, LABEL: keys and values.</li>
 *   <li>COPY: {@code --chown}, {@code --chmod}, sources and destination; heredoc bodies unless the name was
 *       quoted, with quotes left alone. Not {@code --from} (a variable there is an error earlier) nor
 *       {@code --exclude}.</li>
 *   <li>ADD: as COPY, plus {@code --checksum}.</li>
 *   <li>RUN: only the {@code --mount} values; the command itself is the shell's business.</li>
 *   <li>WORKDIR, USER, STOPSIGNAL: the value. VOLUME: each path. EXPOSE: each port, split into words.</li>
 *   <li>CMD, ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD, MAINTAINER: nothing. ARG and FROM are expanded by the
 *       planner with their own scopes.</li>
 * </ul>
 *
 * <p>Every result is a new instruction; the input is never changed. Stateless and thread-safe.
 */
final class InstructionExpansion {

    /** An expanded instruction, with the typed mounts of a RUN. */
    record Expanded(Instruction instruction, List<Mount> mounts) {
        Expanded {
            mounts = List.copyOf(mounts);
        }
    }

    private InstructionExpansion() {
    }

    static Expanded expand(Instruction instruction, Expander x) throws DockerfileException {
        if (instruction instanceof EnvInstruction env) {
            return plain(new EnvInstruction(env.origin(), pairs(env.pairs(), x)));
        }
        if (instruction instanceof LabelInstruction label) {
            return plain(new LabelInstruction(label.origin(), pairs(label.labels(), x)));
        }
        if (instruction instanceof CopyInstruction c) {
            return plain(new CopyInstruction(c.origin(), files(c.files(), x), c.from(), optional(c.chown(), x),
                    optional(c.chmod(), x), c.link(), c.parents(), c.excludes()));
        }
        if (instruction instanceof AddInstruction a) {
            return plain(new AddInstruction(a.origin(), files(a.files(), x), optional(a.chown(), x),
                    optional(a.chmod(), x), a.link(), a.keepGitDir(), optional(a.checksum(), x), a.unpack(),
                    a.excludes()));
        }
        if (instruction instanceof RunInstruction run) {
            return new Expanded(run, run.mounts(x));
        }
        if (instruction instanceof WorkdirInstruction w) {
            return plain(new WorkdirInstruction(w.origin(), word(w.path(), x)));
        }
        if (instruction instanceof UserInstruction u) {
            return plain(new UserInstruction(u.origin(), word(u.user(), x)));
        }
        if (instruction instanceof StopSignalInstruction s) {
            return plain(new StopSignalInstruction(s.origin(), word(s.signal(), x)));
        }
        if (instruction instanceof VolumeInstruction v) {
            return plain(new VolumeInstruction(v.origin(), words(v.volumes(), x)));
        }
        if (instruction instanceof ExposeInstruction e) {
            return plain(new ExposeInstruction(e.origin(), ports(e.ports(), x)));
        }
        return plain(instruction);
    }

    private static Expanded plain(Instruction instruction) {
        return new Expanded(instruction, List.of());
    }

    private static Word word(Word w, Expander x) throws DockerfileException {
        return new Word(x.expand(w.text()), w.range());
    }

    private static List<Word> words(List<Word> ws, Expander x) throws DockerfileException {
        List<Word> out = new ArrayList<>(ws.size());
        for (Word w : ws) {
            out.add(word(w, x));
        }
        return out;
    }

    private static Optional<Word> optional(Optional<Word> w, Expander x) throws DockerfileException {
        return w.isPresent() ? Optional.of(word(w.get(), x)) : w;
    }

    private static List<KeyValue> pairs(List<KeyValue> kvs, Expander x) throws DockerfileException {
        List<KeyValue> out = new ArrayList<>(kvs.size());
        for (KeyValue kv : kvs) {
            out.add(new KeyValue(word(kv.key(), x), word(kv.value(), x), kv.noDelimiter()));
        }
        return out;
    }

    private static SourcesAndDest files(SourcesAndDest files, Expander x) throws DockerfileException {
        List<Word> sources = words(files.sourcePaths(), x);
        Word dest = word(files.dest(), x);
        List<SourceContent> contents = new ArrayList<>(files.sourceContents().size());
        for (SourceContent content : files.sourceContents()) {
            contents.add(content.expand()
                    ? new SourceContent(content.path(), x.expandRaw(content.data()), true, content.range())
                    : content);
        }
        return new SourcesAndDest(dest, sources, contents);
    }

    private static List<Word> ports(List<Word> ports, Expander x) throws DockerfileException {
        List<Word> out = new ArrayList<>();
        for (Word port : ports) {
            for (String p : x.expandWords(port.text())) {
                out.add(new Word(p, port.range()));
            }
        }
        return out;
    }
}
