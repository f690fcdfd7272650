package dev.wharf.builder.plan.lint;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.go.GoNumbers;
import dev.wharf.grammar.parser.Directive;
import dev.wharf.grammar.parser.DirectiveParser;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which build checks run and what a finding does: the value of the {@code # check=} parser directive or of the
 * {@code BUILDKIT_DOCKERFILE_CHECK} build arg ({@code skip=RULE,RULE|all;error=true;experimental=RULE|all}),
 * BuildKit's {@code linter.Config} and {@code ParseLintOptions} (frontend/dockerfile/linter/linter.go).
 *
 * <p>Immutable and thread-safe.
 *
 * @param skipAll           {@code skip=all}: no rule that is not experimental runs
 * @param skip              the rules {@code skip=} names
 * @param experimentalAll   {@code experimental=all}: every experimental rule runs
 * @param experimental      the experimental rules {@code experimental=} turns on
 * @param error             {@code error=true}: a build with findings fails
 */
public record CheckConfig(boolean skipAll, Set<String> skip, boolean experimentalAll, Set<String> experimental,
                          boolean error) {

    /** Every rule that is not experimental, findings are warnings. */
    public static final CheckConfig DEFAULT = new CheckConfig(false, Set.of(), false, Set.of(), false);

    public CheckConfig {
        skip = Set.copyOf(skip);
        experimental = Set.copyOf(experimental);
    }

    /**
     * Parses a check option string as BuildKit does: at most three {@code ;}-separated {@code key=value} parts
     * (Go's {@code SplitN(s, ";", 3)}: a fourth part stays in the third value), keys {@code skip},
     * {@code experimental} and {@code error} (a Go boolean).
     *
     * @throws IllegalArgumentException with BuildKit's message ({@code invalid check option "x"})
     */
    public static CheckConfig parse(String value) {
        String text = value.strip();
        if (text.isEmpty()) {
            return DEFAULT;
        }
        boolean skipAll = false;
        boolean experimentalAll = false;
        boolean error = false;
        Set<String> skip = new LinkedHashSet<>();
        Set<String> experimental = new LinkedHashSet<>();
        for (String part : text.split(";", 3)) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("invalid check option " + quote(part));
            }
            String key = part.substring(0, eq).strip();
            String v = part.substring(eq + 1).strip();
            switch (key) {
                case "skip" -> {
                    if (v.equals("all")) {
                        skipAll = true;
                    } else {
                        names(v, skip);
                    }
                }
                case "experimental" -> {
                    if (v.equals("all")) {
                        experimentalAll = true;
                    } else {
                        names(v, experimental);
                    }
                }
                case "error" -> error = GoNumbers.parseBool(v).orElseThrow(() -> new IllegalArgumentException(
                        "failed to parse check option " + quote(part) + ": strconv.ParseBool: parsing "
                                + quote(v) + ": invalid syntax"));
                default -> throw new IllegalArgumentException("invalid check option " + quote(key));
            }
        }
        return new CheckConfig(skipAll, skip, experimentalAll, experimental, error);
    }

    /**
     * This configuration with {@code other}'s additions: skips and experimental rules are added, {@code all}s
     * are kept, the error flag is this one's (BuildKit's {@code WithMergedConfig}).
     */
    public CheckConfig merge(CheckConfig other) {
        Set<String> s = new LinkedHashSet<>(skip);
        s.addAll(other.skip);
        Set<String> e = new LinkedHashSet<>(experimental);
        e.addAll(other.experimental);
        return new CheckConfig(skipAll || other.skipAll, s, experimentalAll || other.experimentalAll, e, error);
    }

    /**
     * The configuration a {@code # check=...} comment directly above an instruction gives it (BuildKit's
     * {@code WithMergedConfigFromComments}): the first comment that reads as a {@code check} directive, its value
     * cut at the first space (so {@code # check=skip=all // why} works); an unreadable one changes nothing.
     *
     * @param comments the comment lines above the instruction, {@code #} and surrounding space removed
     */
    public CheckConfig withComments(List<String> comments) {
        for (String comment : comments) {
            Optional<Directive> directive;
            try {
                directive = new DirectiveParser("", 0, "Dockerfile").parseLine(comment);
            } catch (DockerfileException e) {
                continue;
            }
            if (directive.isEmpty() || !directive.get().name().equals("check")) {
                continue;
            }
            String v = directive.get().value();
            int space = v.indexOf(' ');
            try {
                return merge(parse(space < 0 ? v : v.substring(0, space)));
            } catch (IllegalArgumentException e) {
                return this;
            }
        }
        return this;
    }

    /** Whether {@code rule} runs under this configuration (BuildKit's {@code Linter.Run}). */
    public boolean enabled(CheckRule rule) {
        Objects.requireNonNull(rule, "rule");
        if (rule.experimental()) {
            return experimentalAll || experimental.contains(rule.ruleName());
        }
        return !skipAll && !skip.contains(rule.ruleName());
    }

    private static void names(String list, Set<String> into) {
        for (String name : list.split(",", -1)) {
            into.add(name.strip());
        }
    }

    private static String quote(String s) {
        return dev.wharf.grammar.go.GoQuote.quote(s);
    }
}
