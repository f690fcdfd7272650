package dev.wharf.builder.plan;

import dev.wharf.builder.plan.lint.CheckRule;
import dev.wharf.builder.plan.lint.Checks;
import dev.wharf.grammar.SourceRange;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.context.ignore.IgnorePattern;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CmdInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.EntrypointInstruction;
import dev.wharf.grammar.instructions.EnvInstruction;
import dev.wharf.grammar.instructions.ExposeInstruction;
import dev.wharf.grammar.instructions.HealthcheckInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.KeyValue;
import dev.wharf.grammar.instructions.LabelInstruction;
import dev.wharf.grammar.instructions.Suggest;
import dev.wharf.grammar.instructions.WorkdirInstruction;
import dev.wharf.grammar.go.GoQuote;
import dev.wharf.grammar.parser.Word;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks BuildKit runs while it dispatches the instructions of a stage the build needs
 * (dockerfile2llb/convert.go {@code dispatch*}, validations.go, convert_expose.go): undefined variables, legacy
 * {@code KEY VALUE} pairs, secrets in ARG/ENV names, shell-form CMD/ENTRYPOINT, repeated CMD/ENTRYPOINT/HEALTHCHECK,
 * a first relative WORKDIR, EXPOSE protocols and host mappings. It keeps the per-stage state those need.
 *
 * <p>Not thread-safe: one instance per stage being planned.
 */
final class StageChecks {

    /** validations.go getSecretsRegex: a secret word as the whole name or its first or last part. */
    private static final Pattern SECRET = Pattern.compile(
            "(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)");
    private static final Pattern ALLOWED = Pattern.compile("(?i)(?:_|^)(?:public|file|version)(?:_|$)");

    private final Checks checks;
    private final Optional<PatternMatcher> ignore;
    private SourceRange lastCmd;
    private SourceRange lastEntrypoint;
    private SourceRange lastHealthcheck;
    private boolean workdirSet;

    /**
     * @param checks     where findings go
     * @param workdirSet whether the stage this one is built FROM set a WORKDIR (dispatchState.workdirSet)
     * @param ignore     the build context's {@code .dockerignore} patterns, when it has some
     */
    StageChecks(Checks checks, boolean workdirSet, Optional<PatternMatcher> ignore) {
        this.checks = checks;
        this.workdirSet = workdirSet;
        this.ignore = ignore;
    }

    /** The checks for one instruction, under its {@code # check=} comment if it has one. */
    Checks forInstruction(Instruction instruction) {
        return checks.withComments(instruction.comments());
    }

    /** Whether a WORKDIR was set in this stage or the stages it is built from. */
    boolean workdirSet() {
        return workdirSet;
    }

    /**
     * {@code reportUnmatchedVariables}, once per expanded word: names neither in the environment nor declared as
     * ARGs of the stage (with or without a value), with a hint from the environment's names.
     */
    static void undefinedVars(Checks checks, SourceRange range, List<Set<String>> unmatchedByWord,
                              Collection<String> stageArgs, Set<String> nonEnvArgs, List<String> envKeys) {
        for (Set<String> unmatched : unmatchedByWord) {
            for (String name : unmatched) {
                if (stageArgs.contains(name) || nonEnvArgs.contains(name)) {
                    continue;
                }
                String match = Suggest.search(name, envKeys, true);
                checks.report(CheckRule.UNDEFINED_VAR, range, "Usage of undefined variable '$" + name + "'"
                        + (match.isEmpty() ? "" : " (did you mean $" + match + "?)"));
            }
        }
    }

    /** {@code validateNoSecretKey} for one ARG or ENV name. */
    static void secret(Checks checks, String instruction, String key, SourceRange range) {
        if (SECRET.matcher(key).find() && !ALLOWED.matcher(key).find()) {
            checks.report(CheckRule.SECRETS_USED_IN_ARG_OR_ENV, range, "Do not use ARG or ENV instructions for"
                    + " sensitive data (" + instruction + " " + GoQuote.quote(key) + ")");
        }
    }

    /**
     * The checks of an expanded instruction other than ARG, against the image config it starts from
     * ({@code shellSet}: the config has a SHELL, its own or inherited).
     */
    void dispatched(Checks c, Instruction expanded, SourceRange range, boolean shellSet) {
        if (expanded instanceof EnvInstruction env) {
            for (KeyValue kv : env.pairs()) {
                legacy(c, kv, expanded, range);
                secret(c, "ENV", kv.key().text(), range);
            }
        } else if (expanded instanceof LabelInstruction label) {
            for (KeyValue kv : label.labels()) {
                legacy(c, kv, expanded, range);
            }
        } else if (expanded instanceof CmdInstruction cmd) {
            lastCmd = usedOnce(c, lastCmd, expanded, range);
            jsonArgs(c, cmd.command().prependShell(), shellSet, expanded, range);
        } else if (expanded instanceof EntrypointInstruction entrypoint) {
            lastEntrypoint = usedOnce(c, lastEntrypoint, expanded, range);
            jsonArgs(c, entrypoint.command().prependShell(), shellSet, expanded, range);
        } else if (expanded instanceof HealthcheckInstruction) {
            lastHealthcheck = usedOnce(c, lastHealthcheck, expanded, range);
        } else if (expanded instanceof WorkdirInstruction workdir) {
            // Only the first WORKDIR of the build's chain of stages: fixing it fixes the relative ones after it.
            String path = workdir.path().text();
            if (!workdirSet && !path.startsWith("/")) {
                c.report(CheckRule.WORKDIR_RELATIVE_PATH, range, "Relative workdir " + GoQuote.quote(path)
                        + " can have unexpected results if the base image changes");
            }
            workdirSet = true;
        } else if (expanded instanceof CopyInstruction copy && copy.from().isEmpty()) {
            ignored(c, "Copy", copy.files().sourcePaths(), false, range);
        } else if (expanded instanceof AddInstruction add) {
            ignored(c, "Add", add.files().sourcePaths(), true, range);
        } else if (expanded instanceof ExposeInstruction expose) {
            for (Word port : expose.ports()) {
                if (!expose(c, port.text(), range)) {
                    return;
                }
            }
        }
    }

    /**
     * validations.go {@code validateCopySourcePath}: a local source the {@code .dockerignore} excludes. Not checked
     * when the patterns have exclusions ({@code !}), which BuildKit finds too hard to judge statically, nor for
     * ADD's URLs and git repositories; the context root only when a pattern excludes everything in it.
     */
    private void ignored(Checks c, String command, List<Word> sources, boolean add, SourceRange range) {
        if (ignore.isEmpty() || ignore.get().hasExclusions()) {
            return;
        }
        PatternMatcher matcher = ignore.get();
        for (Word source : sources) {
            String raw = source.text();
            if (add && (raw.startsWith("http://") || raw.startsWith("https://") || raw.startsWith("git@")
                    || raw.startsWith("git://") || raw.startsWith("ssh://"))) {
                continue;
            }
            String src = GoPaths.clean(raw);
            if ((src.equals(".") || src.equals("/")) && !rootIgnored(matcher)) {
                continue;
            }
            boolean matched;
            try {
                matched = matcher.matchesOrParentMatches(src);
            } catch (BadPatternException e) {
                return;
            }
            if (matched) {
                c.report(CheckRule.COPY_IGNORED_FILE, range, "Attempting to " + command + " file "
                        + GoQuote.quote(src) + " that is excluded by .dockerignore");
            }
        }
    }

    /** {@code copySourceRootIgnored}: a pattern that excludes every entry of the context root. */
    private static boolean rootIgnored(PatternMatcher matcher) {
        for (IgnorePattern pattern : matcher.patterns()) {
            if (!pattern.exclusion() && Set.of("*", "**", "**/*").contains(pattern.toString())) {
                return true;
            }
        }
        return false;
    }

    private static void legacy(Checks c, KeyValue kv, Instruction instruction, SourceRange range) {
        if (kv.noDelimiter()) {
            String name = instruction.name();
            c.report(CheckRule.LEGACY_KEY_VALUE_FORMAT, range, "\"" + name + " key=value\" should be used instead of"
                    + " legacy \"" + name + " key value\" format");
        }
    }

    private static void jsonArgs(Checks c, boolean shellForm, boolean shellSet, Instruction instruction,
                                 SourceRange range) {
        if (shellForm && !shellSet) {
            c.report(CheckRule.JSON_ARGS_RECOMMENDED, range, "JSON arguments recommended for " + instruction.name()
                    + " to prevent unintended behavior related to OS signals");
        }
    }

    /** {@code validateUsedOnce}: the earlier instruction is the one reported, since it is the one ignored. */
    private static SourceRange usedOnce(Checks c, SourceRange previous, Instruction instruction, SourceRange range) {
        if (previous != null) {
            c.report(CheckRule.MULTIPLE_INSTRUCTIONS_DISALLOWED, previous, "Multiple " + instruction.name()
                    + " instructions should not be used in the same stage because only the last one will be used");
        }
        return range;
    }

    /**
     * convert_expose.go parsePort's checks, made once the protocol is known to be valid; false when the port is
     * malformed (BuildKit stops there with an error, which the plan reports on its own).
     */
    private static boolean expose(Checks c, String raw, SourceRange range) {
        String[] parts = raw.split(":", -1);
        int n = parts.length;
        String ip = n >= 3 ? String.join(":", List.of(parts).subList(0, n - 2)) : "";
        String hostPort = n >= 2 ? parts[n - 2] : "";
        String containerPort = parts[n - 1];
        int slash = containerPort.indexOf('/');
        String port = slash < 0 ? containerPort : containerPort.substring(0, slash);
        String proto = slash < 0 ? "" : containerPort.substring(slash + 1);
        if (port.isEmpty()) {
            return false;
        }
        if (!proto.isEmpty() && !Set.of("tcp", "udp", "sctp").contains(proto.toLowerCase(Locale.ROOT))) {
            return false;
        }
        if (!proto.equals(proto.toLowerCase(Locale.ROOT))) {
            c.report(CheckRule.EXPOSE_PROTO_CASING, range,
                    "Defined protocol '" + raw + "' in EXPOSE instruction should be lowercase");
        }
        if (!ip.isEmpty() || !hostPort.isEmpty()) {
            c.report(CheckRule.EXPOSE_INVALID_FORMAT, range, "EXPOSE instruction should not define an IP address or"
                    + " host-port mapping, found '" + raw + "'");
        }
        return true;
    }
}
