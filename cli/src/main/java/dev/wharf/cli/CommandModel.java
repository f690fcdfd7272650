package dev.wharf.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Builds the picocli models of wharf's commands in code, through picocli's programmatic API, and reads the parsed
 * values back. Not through picocli's annotations: their reflective model (every member's annotations parsed, a
 * proxy class per annotation type, a reflective getter and setter per field) was about a quarter of the CPU time
 * of a fully cached {@code wharf build}, twice what the same model costs built in code.
 *
 * <p>The helpers reproduce what the annotations gave: an option without a {@code paramLabel} was labelled
 * {@code <fieldName>} (shown for optional-value flags: {@code --no-cache[=<noCache>]}), a field's initial value
 * ({@code false}, an empty list) is what picocli resets the option to before parsing; {@code CommandModelGoldenTest}
 * holds every command's help and model as the annotations made them. Stateless.
 */
final class CommandModel {
    /** The key picocli gives the standard help options' mixin ({@code CommandSpec.mixinStandardHelpOptions}). */
    private static final String HELP_MIXIN = "mixinStandardHelpOptions";

    /** The factory of every command line and model: see {@link ListFactory}. */
    static final CommandLine.IFactory FACTORY = new ListFactory();

    private CommandModel() {
    }

    /**
     * picocli's factory for what wharf's models need, a {@code List} option's collection, made here; anything else
     * (picocli's own {@code help} command) is left to picocli's default factory, made only then. Not the default
     * factory for all: its static initialiser probes for Groovy ({@code Class.forName("groovy.lang.Closure")}), and
     * that miss searched the class path, which opened the 17 MB jar a second time (its 5,900-entry directory read
     * again) in every command. Stateless and thread-safe.
     */
    private static final class ListFactory implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == List.class) {
                // What picocli's DefaultFactory makes for a List (CommandLine.DefaultFactory.create).
                return type.cast(new ArrayList<>());
            }
            return CommandLine.defaultFactory().create(type);
        }
    }

    /**
     * A command named {@code name} run by {@code command} (a {@code Callable} or {@code Runnable}), with its
     * description, exit codes ({@code "CODE:meaning"}) and examples; its options follow, then
     * {@link #withStandardHelp}.
     */
    static CommandSpec command(Object command, String name, String[] description, String[] exitCodes,
                               String... examples) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command, FACTORY);
        spec.name(name);
        UsageMessageSpec usage = spec.usageMessage();
        usage.description(description);
        usage.exitCodeListHeading("%nExit codes:%n");
        usage.exitCodeList(UsageMessageSpec.keyValuesMap(exitCodes));
        usage.footerHeading("%nExamples:%n");
        usage.footer(examples);
        return spec;
    }

    /**
     * Adds {@code -h/--help} and {@code -V/--version} as {@code @Command(mixinStandardHelpOptions = true)} did:
     * picocli's AutoHelpMixin, with its names, texts and key, after the command's own options (the completion
     * script lists options in the order they were added).
     */
    static CommandSpec withStandardHelp(CommandSpec spec) {
        spec.addMixin(HELP_MIXIN, helpOptions());
        return spec;
    }

    private static CommandSpec helpOptions() {
        CommandSpec mixin = CommandModel.emptySpec();
        // The names as picocli's AutoHelpMixin declares them: -h and --help unless the system properties
        // picocli.help.name.0/1 (and picocli.version.name.0/1) say otherwise.
        mixin.addOption(flag("helpRequested", "${picocli.help.name.0:--h}", "${picocli.help.name.1:---help}")
                .usageHelp(true)
                .descriptionKey("mixinStandardHelpOptions.help").description("Show this help message and exit.")
                .build());
        mixin.addOption(flag("versionRequested", "${picocli.version.name.0:--V}",
                "${picocli.version.name.1:---version}")
                .versionHelp(true)
                .descriptionKey("mixinStandardHelpOptions.version").description("Print version information and exit.")
                .build());
        return mixin;
    }

    /**
     * An empty spec for a mixin's options: {@code CommandSpec.create()}, with {@link #FACTORY} instead of picocli's
     * default factory.
     */
    static CommandSpec emptySpec() {
        return CommandSpec.wrapWithoutInspection(null, FACTORY);
    }

    /** Lines of text: a description or examples. */
    static String[] lines(String... lines) {
        return lines;
    }

    /** An option taking one string value. */
    static OptionSpec.Builder option(String label, String... names) {
        return OptionSpec.builder(names).type(String.class).paramLabel(label);
    }

    /** An option taking one value of {@code type} (converted by picocli's built-in converters). */
    static OptionSpec.Builder option(Class<?> type, String label, String... names) {
        return OptionSpec.builder(names).type(type).paramLabel(label);
    }

    /** A repeatable option collecting its string values in a list, empty when not given. */
    static OptionSpec.Builder list(String label, String... names) {
        return OptionSpec.builder(names).type(List.class).auxiliaryTypes(String.class).paramLabel(label)
                .initialValue(new ArrayList<String>());
    }

    /** A boolean flag ({@code field} names it in the synopsis, as the annotated field did). */
    static OptionSpec.Builder flag(String field, String... names) {
        return OptionSpec.builder(names).type(boolean.class).paramLabel("<" + field + ">").initialValue(false);
    }

    /** A boolean flag that also takes docker's {@code =true|false}: {@code --no-cache}, {@code --pull=false}. */
    static OptionSpec.Builder optionalFlag(String field, String... names) {
        return flag(field, names).arity("0..1").fallbackValue("true");
    }

    /** The positional parameter at {@code index} ({@code "0"}, {@code "1"}), a string; required. */
    static PositionalParamSpec.Builder positional(String index, String label) {
        return PositionalParamSpec.builder().index(index).type(String.class).paramLabel(label).required(true);
    }

    /**
     * Positional parameters collected in a list: at {@code index}, or, when it is null, wherever picocli puts them
     * (after the others, as for an annotation without {@code index}).
     */
    static PositionalParamSpec.Builder positionals(String index, String label) {
        PositionalParamSpec.Builder builder = PositionalParamSpec.builder().type(List.class)
                .auxiliaryTypes(String.class).paramLabel(label);
        return index == null ? builder : builder.index(index);
    }

    /**
     * The parsed (or default, or initial) value of the option {@code name} of {@code spec}. Looked up by its full
     * name in the spec's name map first: {@code findOption} walks every option and interpolates every name of each
     * (picocli's {@code OptionSpec.names()}), so reading a command's few dozen options that way cost about 1,500
     * interpolations, in the interpreter, before a build could start (JFR of a fresh {@code wharf build}: about a
     * fifth of the main thread's samples).
     */
    static <T> T value(CommandSpec spec, String name) {
        OptionSpec option = spec.optionsMap().get(name);
        if (option == null) {
            option = spec.findOption(name);
        }
        if (option == null) {
            throw new IllegalStateException("no option " + name + " in " + spec.qualifiedName());
        }
        return option.getValue();
    }

    /** The parsed value of the {@code index}th positional parameter of {@code spec}. */
    static <T> T positionalValue(CommandSpec spec, int index) {
        return spec.positionalParameters().get(index).getValue();
    }
}
