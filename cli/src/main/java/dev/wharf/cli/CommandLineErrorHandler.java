package dev.wharf.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reports a command line that wharf's parser rejects in the words and exit codes of wharf's docker twins, so that
 * scripts and people used to {@code docker buildx build} and the docker CLI read the same thing: an unknown flag or a
 * flag without its value is pflag's {@code unknown flag: --bogus} / {@code flag needs an argument: --target} with exit
 * code 125 (docker's for a rejected command line), the wrong number of arguments is docker's arity message with exit
 * code 1. {@code wharf build} follows buildx (measured: buildx 0.13.1), whose cobra says {@code See 'docker buildx
 * build --help'.}; the other commands follow the docker CLI (measured: docker 28.2), which repeats the usage line.
 * Anything else (an option's value picocli cannot convert, a required option left out) keeps picocli's report and
 * {@link ExitCodes#USAGE}.
 */
final class CommandLineErrorHandler implements IParameterExceptionHandler {
    private final IParameterExceptionHandler fallback;

    CommandLineErrorHandler(IParameterExceptionHandler fallback) {
        this.fallback = fallback;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) throws Exception {
        CommandLine commandLine = ex.getCommandLine();
        CommandSpec spec = commandLine.getCommandSpec();
        PrintWriter err = commandLine.getErr();
        Optional<String> flagError = unknownFlagBeforeArity(ex, spec, args).or(() -> flagError(ex, spec, args));
        if (flagError.isPresent()) {
            err.print(flagError.get() + "\n" + trailer(spec));
            err.flush();
            return ExitCodes.FLAG;
        }
        Optional<String> arityError = arityError(ex, spec);
        if (arityError.isPresent()) {
            err.print(arityError.get());
            err.flush();
            return ExitCodes.FAILED;
        }
        return fallback.handleParseException(ex, args);
    }

    /**
     * pflag's error for the first unknown flag on the command line, when picocli reported something else first: it
     * checks required arguments and options before it reports an unmatched one, and names the first unmatched
     * argument even when that is a stray word before the flag; cobra parses every flag before it counts arguments,
     * so {@code wharf build --bogus} (no context) and {@code wharf history a b --bogus} are flag errors (exit 125) as
     * in docker. Empty when the error is of another kind or every flag is known.
     */
    private static Optional<String> unknownFlagBeforeArity(ParameterException ex, CommandSpec spec, String[] args) {
        boolean arityFirst = ex instanceof MissingParameterException
                || ex instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()
                        && !unmatched.getUnmatched().get(0).startsWith("-");
        // picocli converts a value as it reads it but reports unknown flags at the end; pflag stops at whichever
        // comes first: an unknown flag before the refused value wins.
        OptionSpec refused = ex.getCause() instanceof TypeConversionException
                && ex.getArgSpec() instanceof OptionSpec option ? option : null;
        if (!arityFirst && refused == null) {
            return Optional.empty();
        }
        int start = 0;
        if (spec.parent() != null) {
            // The tokens after the subcommand's name are its own.
            while (start < args.length && !args[start].equals(spec.name())) {
                start++;
            }
            start++;
        }
        for (int i = start; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                break;
            }
            if (!arg.startsWith("-") || arg.length() == 1) {
                if (ex.getCommandLine().isStopAtPositional()) {
                    break; // wharf run IMAGE --flag: the flag is the started command's
                }
                continue;
            }
            if (arg.startsWith("--")) {
                int equals = arg.indexOf('=');
                String name = equals < 0 ? arg : arg.substring(0, equals);
                OptionSpec option = spec.findOption(name);
                if (option == null) {
                    return Optional.of("unknown flag: " + name);
                }
                String value = equals >= 0 ? arg.substring(equals + 1) : i + 1 < args.length ? args[i + 1] : null;
                if (option == refused && java.util.Objects.equals(value, ex.getValue())) {
                    break; // the refused value comes first (an earlier valid value of the flag does not stop)
                }
                if (equals < 0 && option.arity().min() > 0) {
                    i++; // its value
                }
                continue;
            }
            for (int j = 1; j < arg.length(); j++) {
                OptionSpec option = spec.findOption(arg.charAt(j));
                if (option == null) {
                    return Optional.of("unknown shorthand flag: '" + arg.charAt(j) + "' in -" + arg.substring(j));
                }
                if (option == refused) {
                    return Optional.empty();
                }
                if (option.arity().min() > 0) {
                    if (j == arg.length() - 1) {
                        i++; // its value
                    }
                    break;
                }
            }
        }
        return Optional.empty();
    }

    /** pflag's words for an unknown flag or a flag given last without its value; empty for any other error. */
    private static Optional<String> flagError(ParameterException ex, CommandSpec spec, String[] args) {
        if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String arg = unmatched.getUnmatched().get(0);
            if (arg.startsWith("--") && arg.length() > 2) {
                int equals = arg.indexOf('=');
                return Optional.of("unknown flag: " + (equals < 0 ? arg : arg.substring(0, equals)));
            }
            if (arg.startsWith("-") && arg.length() > 1) {
                // pflag reads a shorthand group letter by letter and names the first it does not know.
                for (int i = 1; i < arg.length(); i++) {
                    OptionSpec option = spec.findOption(arg.charAt(i));
                    if (option == null) {
                        return Optional.of("unknown shorthand flag: '" + arg.charAt(i) + "' in -" + arg.substring(i));
                    }
                    if (option.arity().max() > 0 && !option.arity().isVariable()) {
                        break;
                    }
                }
                return Optional.of("unknown shorthand flag: '" + arg.charAt(1) + "' in " + arg);
            }
            return Optional.empty();
        }
        if (ex.getArgSpec() instanceof OptionSpec option && ex.getValue() != null
                && String.valueOf(ex.getMessage()).startsWith("Invalid value for option")) {
            return Optional.of(invalidArgument(ex.getValue(), pflagName(option), conversionReason(option, ex)));
        }
        if (ex instanceof MissingParameterException missing) {
            for (ArgSpec arg : missing.getMissing()) {
                if (arg instanceof OptionSpec option) {
                    Optional<String> typed = lastTyped(option, args);
                    if (typed.isPresent()) {
                        String name = typed.get();
                        return Optional.of("flag needs an argument: " + (name.startsWith("--") ? name
                                : "'" + name.substring(1) + "' in " + name));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Whether a {@link FlagValueCheck} reads the option's values (its refusals are worded as pflag's). */
    private static boolean checked(OptionSpec option) {
        for (Object converter : option.converters()) {
            if (converter instanceof FlagValueCheck) {
                return true;
            }
        }
        return false;
    }

    /** pflag's sentence for a value its flag's type refuses. */
    static String invalidArgument(String value, String flag, String reason) {
        return "invalid argument \"" + value + "\" for \"" + flag + "\" flag: " + reason;
    }

    /** How pflag names a flag in its errors: {@code -c, --cpu-shares} with a shorthand, else {@code --cpus}. */
    private static String pflagName(OptionSpec option) {
        String shorthand = null;
        String name = option.longestName();
        for (String each : option.names()) {
            if (each.length() == 2 && each.charAt(0) == '-' && each.charAt(1) != '-') {
                shorthand = each;
            }
        }
        return shorthand == null || shorthand.equals(name) ? name : shorthand + ", " + name;
    }

    /**
     * Why the value was refused, in the words of Go's strconv that pflag passes on for the flag types docker's
     * numbers and booleans have; picocli's own reason for any other type.
     */
    private static String conversionReason(OptionSpec option, ParameterException ex) {
        if (ex.getCause() instanceof TypeConversionException refused && checked(option)) {
            return refused.getMessage(); // pflag's own words for the flag's type
        }
        Class<?> type = option.type();
        String parsing = "parsing \"" + ex.getValue() + "\": invalid syntax";
        if (type == boolean.class || type == Boolean.class) {
            return "strconv.ParseBool: " + parsing;
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "strconv.ParseFloat: " + parsing;
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "strconv.ParseInt: " + parsing;
        }
        String message = ex.getMessage();
        int colon = message.indexOf(": ");
        return colon < 0 ? message : message.substring(colon + 2);
    }

    /**
     * The name of {@code option} as the command line last gave it, when it gave it: the flag left without a value;
     * a shorthand that ends a group ({@code -qf}) is named alone, as pflag names what is left of the group.
     */
    private static Optional<String> lastTyped(OptionSpec option, String[] args) {
        for (int i = args.length - 1; i >= 0; i--) {
            for (String name : option.names()) {
                if (args[i].equals(name)) {
                    return Optional.of(name);
                }
                boolean shorthand = name.length() == 2 && name.charAt(1) != '-';
                if (shorthand && args[i].length() > 2 && args[i].charAt(0) == '-' && args[i].charAt(1) != '-'
                        && args[i].endsWith(name.substring(1))) {
                    return Optional.of(name);
                }
            }
        }
        return Optional.empty();
    }

    /** What the docker CLI and buildx print after a flag error: where to look for help. */
    private static String trailer(CommandSpec spec) {
        if (isBuild(spec)) {
            return "See '" + spec.qualifiedName() + " --help'.\n";
        }
        return "\nUsage:  " + useLine(spec) + "\n\nRun '" + spec.qualifiedName() + " --help' for more information\n";
    }

    /**
     * docker's message for too few or too many arguments (cobra's positional-argument checks as the docker CLI
     * and buildx word them), or for a word that names no command; empty for any other error.
     */
    private static Optional<String> arityError(ParameterException ex, CommandSpec spec) {
        String path = spec.qualifiedName();
        boolean tooFew = ex instanceof MissingParameterException missing
                && missing.getMissing().stream().allMatch(arg -> arg instanceof PositionalParamSpec);
        boolean tooMany = ex instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()
                && !unmatched.getUnmatched().get(0).startsWith("-");
        if (!tooFew && !tooMany) {
            return Optional.empty();
        }
        if (tooMany && !spec.subcommands().isEmpty()) {
            UnmatchedArgumentException unknown = (UnmatchedArgumentException) ex;
            // The docker CLI stops at its first line; wharf adds cobra's own hint when a command is close.
            String hint = unknown.getSuggestions().isEmpty() ? ""
                    : "\n\nDid you mean this?\n\t" + String.join("\n\t", unknown.getSuggestions());
            return Optional.of("wharf: unknown command: " + path + " " + unknown.getUnmatched().get(0) + hint
                    + "\n\nRun '" + path + " --help' for more information\n");
        }
        int min = 0;
        int max = 0;
        for (PositionalParamSpec positional : spec.positionalParameters()) {
            min += positional.arity().min();
            max = positional.isMultiValue() || max == Integer.MAX_VALUE ? Integer.MAX_VALUE
                    : max + positional.arity().max();
        }
        if (isBuild(spec)) {
            // buildx's own check (cli.ExactArgs(1) in buildx's commands), with the command's short description.
            return Optional.of("ERROR: \"" + path + "\" requires exactly " + arguments(min) + ".\nSee '" + path
                    + " --help'.\n\nUsage:  " + useLine(spec) + "\n\n" + firstLine(spec) + "\n");
        }
        String see = "Run";
        String wanted;
        if (max == 0) {
            wanted = "accepts no arguments";
        } else if (min == max) {
            wanted = "requires " + arguments(min);
        } else if (tooFew) {
            wanted = "requires at least " + arguments(min);
            // docker's RequiresMinArgs alone says "See".
            see = "See";
        } else {
            wanted = "requires at most " + arguments(max);
        }
        return Optional.of("wharf: '" + path + "' " + wanted + "\n\nUsage:  " + useLine(spec) + "\n\n" + see + " '"
                + path + " --help' for more information\n");
    }

    private static String arguments(int count) {
        return count + (count == 1 ? " argument" : " arguments");
    }

    private static boolean isBuild(CommandSpec spec) {
        return spec.name().equals("build") && spec.parent() != null;
    }

    /** The command's first description line: buildx ends its arity error with the command's short text. */
    private static String firstLine(CommandSpec spec) {
        String[] description = spec.usageMessage().description();
        return description.length == 0 ? "" : description[0];
    }

    /**
     * cobra's use line, from wharf's own model: {@code wharf rmi [OPTIONS] IMAGE [IMAGE...]}, as docker writes
     * {@code docker rmi [OPTIONS] IMAGE [IMAGE...]}.
     */
    static String useLine(CommandSpec spec) {
        StringBuilder line = new StringBuilder(spec.qualifiedName()).append(" [OPTIONS]");
        if (!spec.subcommands().isEmpty()) {
            return line.append(" COMMAND [ARG...]").toString();
        }
        List<PositionalParamSpec> positionals = spec.positionalParameters();
        for (PositionalParamSpec positional : positionals) {
            String label = positional.paramLabel();
            boolean many = positional.isMultiValue();
            boolean required = positional.arity().min() > 0;
            line.append(' ');
            if (many) {
                line.append(required ? label + " [" + label + "...]" : "[" + label + "...]");
            } else {
                line.append(required ? label : "[" + label + "]");
            }
        }
        return line.toString();
    }
}
