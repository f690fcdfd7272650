package dev.wharf.builder.plan.lint;

import dev.wharf.grammar.go.GoQuote;
import dev.wharf.grammar.instructions.ArgDefinition;
import dev.wharf.grammar.instructions.ArgInstruction;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.FromInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.MaintainerInstruction;
import dev.wharf.grammar.instructions.Stage;
import dev.wharf.grammar.parser.Warning;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The checks that need only the parsed Dockerfile, run on every stage whether the build needs it or not, in
 * BuildKit's order: empty continuation lines (the parser's warnings), then each instruction as
 * {@code instructions.ParseInstructionWithLinter} reads it (MAINTAINER, the stage name's and {@code AS}'s casing),
 * then {@code validateStageNames} and {@code validateCommandCasing} (dockerfile2llb/validations.go).
 *
 * <p>Stateless and thread-safe.
 */
public final class DockerfileChecks {

    /** Stage names BuildKit reserves ({@code reservedStageNames}). */
    private static final Set<String> RESERVED = Set.of("context", "scratch");

    private DockerfileChecks() {
    }

    /** Reports the findings of {@code dockerfile} into {@code checks}. */
    public static void run(Dockerfile dockerfile, Checks checks) {
        for (Warning warning : dockerfile.warnings()) {
            if (warning.url().equals(CheckRule.NO_EMPTY_CONTINUATION.url())) {
                checks.report(CheckRule.NO_EMPTY_CONTINUATION, warning.range(), "Empty continuation line");
            }
        }
        dockerfile.metaArgs().forEach(a -> parsed(a, checks));
        for (Stage stage : dockerfile.stages()) {
            parsed(stage.from(), checks);
            stage.commands().forEach(c -> parsed(c, checks));
        }
        stageNames(dockerfile.stages(), checks);
        casing(dockerfile.stages(), checks);
    }

    private static void parsed(Instruction instruction, Checks all) {
        Checks checks = all.withComments(instruction.comments());
        if (instruction instanceof MaintainerInstruction) {
            checks.report(CheckRule.MAINTAINER_DEPRECATED, instruction.range(),
                    "Maintainer instruction is deprecated in favor of using label");
        } else if (instruction instanceof FromInstruction from) {
            List<String> args = fromArgs(from);
            // parse.go isLowerCaseStageName / doesFromCaseMatchAsCase look at the raw words: image, AS, name.
            if (args.size() == 3 && !args.get(2).equals(lower(args.get(2)))) {
                checks.report(CheckRule.STAGE_NAME_CASING, from.range(),
                        "Stage name '" + args.get(2) + "' should be lowercase");
            }
            if (!fromMatchesAs(from.name(), args)) {
                checks.report(CheckRule.FROM_AS_CASING, from.range(),
                        "'" + args.get(1) + "' and '" + from.name() + "' keywords' casing do not match");
            }
            from.stageName().ifPresent(name -> description(checks, "FROM", List.of(name), from));
        } else if (instruction instanceof ArgInstruction arg) {
            description(checks, "ARG", arg.args().stream().map(ArgDefinition::key).toList(), arg);
        }
    }

    /**
     * {@code validateDefinitionDescription} (experimental): the comment right above a named stage or an ARG must
     * start with the name it documents.
     */
    private static void description(Checks checks, String instruction, List<String> keys, Instruction at) {
        List<String> comments = at.comments();
        if (comments.isEmpty() || keys.isEmpty()) {
            return;
        }
        String first = comments.get(comments.size() - 1).split(" ", -1)[0];
        if (keys.contains(first)) {
            return;
        }
        String example = keys.size() > 1 ? "<arg_key>" : keys.get(0);
        checks.report(CheckRule.INVALID_DEFINITION_DESCRIPTION, at.range(), "Comment for " + instruction
                + " should follow the format: `# " + example + " <description>`");
    }

    /** The words after FROM and its flags, as the parser split them ({@code node.Next}). */
    private static List<String> fromArgs(FromInstruction from) {
        String[] words = from.origin().code().strip().split("[ \t\r\n\f\u000b]+");
        List<String> args = new ArrayList<>();
        boolean flags = true;
        for (int i = 1; i < words.length; i++) {
            if (flags && words[i].startsWith("--")) {
                continue;
            }
            flags = false;
            args.add(words[i]);
        }
        return args;
    }

    private static boolean fromMatchesAs(String command, List<String> args) {
        if (args.size() < 3) {
            return true;
        }
        boolean lower = command.equals(lower(command));
        boolean upper = command.equals(upper(command));
        if (!lower && !upper) {
            // Mixed-case FROM is ConsistentInstructionCasing's business.
            return true;
        }
        String as = args.get(1);
        return lower ? as.equals(lower(as)) : as.equals(upper(as));
    }

    private static void stageNames(List<Stage> stages, Checks checks) {
        Set<String> seen = new HashSet<>();
        for (Stage stage : stages) {
            if (stage.name().isEmpty()) {
                continue;
            }
            String name = stage.name().get();
            if (RESERVED.contains(name)) {
                checks.report(CheckRule.RESERVED_STAGE_NAME, stage.from().range(),
                        "Stage name should not use the same name as reserved stage " + GoQuote.quote(name));
            }
            if (!seen.add(name)) {
                checks.report(CheckRule.DUPLICATE_STAGE_NAME, stage.from().range(),
                        "Duplicate stage name " + GoQuote.quote(name) + ", stage names should be unique");
            }
        }
    }

    /** {@code validateCommandCasing}: the majority casing among self-consistent keywords; ties go to upper case. */
    private static void casing(List<Stage> stages, Checks checks) {
        int lowerCount = 0;
        int upperCount = 0;
        for (Stage stage : stages) {
            for (Instruction instruction : instructions(stage)) {
                String name = instruction.name();
                if (name.equals(lower(name))) {
                    lowerCount++;
                } else if (name.equals(upper(name))) {
                    upperCount++;
                }
            }
        }
        boolean majorityLower = lowerCount > upperCount;
        for (Stage stage : stages) {
            for (Instruction instruction : instructions(stage)) {
                String name = instruction.name();
                String correct = "";
                if (majorityLower && !lower(name).equals(name)) {
                    correct = "lowercase";
                } else if (!majorityLower && !upper(name).equals(name)) {
                    correct = "uppercase";
                }
                if (!correct.isEmpty()) {
                    checks.report(CheckRule.CONSISTENT_INSTRUCTION_CASING, instruction.range(),
                            "Command '" + name + "' should match the case of the command majority (" + correct + ")");
                }
            }
        }
    }

    /** The stage's FROM and its instructions, in order. */
    private static List<Instruction> instructions(Stage stage) {
        List<Instruction> all = new ArrayList<>();
        all.add(stage.from());
        all.addAll(stage.commands());
        return all;
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }
}
