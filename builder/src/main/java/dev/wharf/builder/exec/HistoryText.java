package dev.wharf.builder.exec;

import dev.wharf.builder.plan.PortSpecs;
import dev.wharf.builder.plan.Step;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.ArgDefinition;
import dev.wharf.grammar.instructions.ArgInstruction;
import dev.wharf.grammar.instructions.CmdInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.EntrypointInstruction;
import dev.wharf.grammar.instructions.EnvInstruction;
import dev.wharf.grammar.instructions.ExposeInstruction;
import dev.wharf.grammar.instructions.Healthcheck;
import dev.wharf.grammar.instructions.HealthcheckInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.KeyValue;
import dev.wharf.grammar.instructions.LabelInstruction;
import dev.wharf.grammar.instructions.MaintainerInstruction;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.instructions.ShellInstruction;
import dev.wharf.grammar.instructions.SourceContent;
import dev.wharf.grammar.instructions.SourcesAndDest;
import dev.wharf.grammar.instructions.StopSignalInstruction;
import dev.wharf.grammar.instructions.UserInstruction;
import dev.wharf.grammar.instructions.VolumeInstruction;
import dev.wharf.grammar.instructions.WorkdirInstruction;
import dev.wharf.grammar.parser.Word;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code created_by} of a step's history entry, in BuildKit's words (dockerfile2llb/convert.go,
 * {@code commitToHistory} and the {@code dispatch*} functions that call it; convert_copy.go; convert_expose.go):
 * {@code ENV k=v}, {@code CMD ["a" "b"]} (Go's {@code %q} of a list), {@code VOLUME [/a /b]} (Go's {@code %v}),
 * {@code RUN |n K=V... argv # buildkit} with the ARGs in scope first, {@code COPY --chown=.. src dest # buildkit},
 * {@code WORKDIR /abs}. Stateless.
 */
final class HistoryText {
    private HistoryText() {
    }

    static String of(Step step, String fallback) {
        Instruction i = step.instruction();
        if (i instanceof RunInstruction run) {
            return "RUN " + runCommand(step, RunCommand.argv(run.command(), step.environment().shell()))
                    + " # buildkit";
        }
        if (i instanceof CopyInstruction copy) {
            return files("COPY", copy.parents(), copy.chown(), copy.chmod(), copy.files()) + " # buildkit";
        }
        if (i instanceof AddInstruction add) {
            return files("ADD", false, add.chown(), add.chmod(), add.files()) + " # buildkit";
        }
        if (i instanceof WorkdirInstruction) {
            return "WORKDIR " + step.config().workingDir();
        }
        if (i instanceof EnvInstruction env) {
            StringBuilder out = new StringBuilder("ENV");
            for (KeyValue kv : env.pairs()) {
                out.append(' ').append(kv.key().text()).append('=').append(kv.value().text());
            }
            return out.toString();
        }
        if (i instanceof LabelInstruction label) {
            StringBuilder out = new StringBuilder("LABEL");
            for (KeyValue kv : label.labels()) {
                out.append(' ').append(kv.key().text()).append('=').append(kv.value().text());
            }
            return out.toString();
        }
        if (i instanceof CmdInstruction) {
            return "CMD " + goQuotedList(step.config().cmd().orElse(List.of()));
        }
        if (i instanceof EntrypointInstruction) {
            return "ENTRYPOINT " + goQuotedList(step.config().entrypoint().orElse(List.of()));
        }
        if (i instanceof HealthcheckInstruction health) {
            return "HEALTHCHECK " + healthcheck(health.health());
        }
        if (i instanceof UserInstruction user) {
            return "USER " + user.user().text();
        }
        if (i instanceof VolumeInstruction volume) {
            return "VOLUME " + goList(volume.volumes().stream().map(Word::text).toList());
        }
        if (i instanceof StopSignalInstruction stop) {
            return "STOPSIGNAL " + stop.signal().text();
        }
        if (i instanceof ShellInstruction shell) {
            return "SHELL " + goList(shell.shell().stream().map(Word::text).toList());
        }
        if (i instanceof MaintainerInstruction maintainer) {
            return "MAINTAINER " + maintainer.maintainer().text();
        }
        if (i instanceof ExposeInstruction expose) {
            return "EXPOSE " + goList(ports(expose));
        }
        if (i instanceof ArgInstruction arg) {
            List<String> parts = new ArrayList<>();
            for (ArgDefinition def : arg.args()) {
                // The planner's ARG holds the value each definition took (build arg, default or global).
                Optional<String> value = def.defaultValue();
                parts.add(value.map(v -> def.key() + "=" + v).orElse(def.key()));
            }
            return "ARG " + String.join(" ", parts);
        }
        return fallback;
    }

    /** BuildKit's {@code runCommandString}: {@code |N K=V ...} for the N ARGs in scope, then the argv. */
    private static String runCommand(Step step, List<String> argv) {
        List<String> parts = new ArrayList<>();
        Map<String, String> args = step.usedArgs();
        if (!args.isEmpty()) {
            parts.add("|" + args.size());
            args.forEach((k, v) -> parts.add(k + "=" + envValue(step.environment().env(), k).orElse(v)));
        }
        parts.addAll(argv);
        return String.join(" ", parts);
    }

    private static String files(String keyword, boolean parents, Optional<Word> chown, Optional<Word> chmod,
                                SourcesAndDest files) {
        StringBuilder out = new StringBuilder(keyword);
        if (parents) {
            out.append(" --parents");
        }
        chown.filter(w -> !w.text().isEmpty()).ifPresent(w -> out.append(" --chown=").append(w.text()));
        chmod.filter(w -> !w.text().isEmpty()).ifPresent(w -> out.append(" --chmod=").append(w.text()));
        for (Word src : files.sourcePaths()) {
            out.append(' ').append(src.text());
        }
        for (SourceContent content : files.sourceContents()) {
            out.append(" <<").append(content.path());
        }
        return out.append(' ').append(files.dest().text()).toString();
    }

    /** The ports as BuildKit's {@code parsePorts} lists them: ranges expanded, {@code /tcp} by default. */
    private static List<String> ports(ExposeInstruction expose) {
        try {
            return PortSpecs.parsePorts(expose.ports().stream().map(Word::text).toList());
        } catch (dev.wharf.grammar.DockerfileException e) {
            // The planner already parsed these ports; it would have failed first.
            return expose.ports().stream().map(Word::text).toList();
        }
    }

    private static Optional<String> envValue(List<String> env, String key) {
        for (int i = env.size() - 1; i >= 0; i--) {
            String e = env.get(i);
            if (e.startsWith(key + "=")) {
                return Optional.of(e.substring(key.length() + 1));
            }
        }
        return Optional.empty();
    }

    /** Go's {@code %+v} of docker-image-spec's {@code HealthcheckConfig}. */
    private static String healthcheck(Healthcheck h) {
        return "{Test:" + goList(h.test()) + " Interval:" + goDuration(h.interval()) + " Timeout:"
                + goDuration(h.timeout()) + " StartPeriod:" + goDuration(h.startPeriod()) + " StartInterval:"
                + goDuration(h.startInterval()) + " Retries:" + h.retries() + "}";
    }

    /** Go's {@code %v} of a string slice: {@code [a b]}. */
    static String goList(List<String> values) {
        return "[" + String.join(" ", values) + "]";
    }

    /** Go's {@code %q} of a string slice: {@code ["a" "b"]}. */
    static String goQuotedList(List<String> values) {
        List<String> quoted = new ArrayList<>();
        for (String v : values) {
            StringBuilder q = new StringBuilder("\"");
            for (int k = 0; k < v.length(); k++) {
                char c = v.charAt(k);
                switch (c) {
                    case '"' -> q.append("\\\"");
                    case '\\' -> q.append("\\\\");
                    case '\n' -> q.append("\\n");
                    case '\t' -> q.append("\\t");
                    case '\r' -> q.append("\\r");
                    default -> {
                        if (c < 0x20 || c == 0x7f) {
                            q.append(String.format("\\x%02x", (int) c));
                        } else {
                            q.append(c);
                        }
                    }
                }
            }
            quoted.add(q.append('"').toString());
        }
        return "[" + String.join(" ", quoted) + "]";
    }

    /** Go's {@code time.Duration.String()}: {@code 0s}, {@code 1.5s}, {@code 1m30s}, {@code 2h0m0s}, {@code 10ms}. */
    static String goDuration(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long n = Math.abs(nanos);
        if (n < 1_000) {
            return sign + n + "ns";
        }
        if (n < 1_000_000) {
            return sign + fraction(n, 1_000) + "µs";
        }
        if (n < 1_000_000_000) {
            return sign + fraction(n, 1_000_000) + "ms";
        }
        long hours = n / 3_600_000_000_000L;
        long minutes = n / 60_000_000_000L % 60;
        long rest = n % 60_000_000_000L;
        StringBuilder out = new StringBuilder(sign);
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        return out.append(fraction(rest, 1_000_000_000)).append('s').toString();
    }

    private static String fraction(long value, long unit) {
        long whole = value / unit;
        long part = value % unit;
        if (part == 0) {
            return Long.toString(whole);
        }
        String digits = String.format("%0" + Long.toString(unit).length() + "d", part).substring(1);
        return whole + "." + digits.replaceAll("0+$", "");
    }
}
