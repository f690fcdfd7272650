package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The command line's observable surface, byte for byte against golden files made from the annotation-based model
 * (before the model was built in code): every command's {@code --help}, the completion scripts, usage errors and
 * their exit codes, and a dump of every command's parse model (each option's names, arity, type, defaults, initial
 * value, split, hidden, scope...), for the command tree {@code --help} registers and for the single-command trees a
 * named command gets. Run with {@code -Dwharf.golden.update=true} to rewrite the files (only when a change to the
 * surface is intended).
 */
class CommandModelGoldenTest {
    private static final String DIR = "golden/";
    private static final Path SOURCE_DIR = Path.of("src/test/resources/dev/wharf/cli/golden");

    /** Command lines whose output and exit code are compared: help, completion and usage errors. */
    private static final List<List<String>> RUNS = runs();

    private static List<List<String>> runs() {
        List<List<String>> runs = new ArrayList<>();
        runs.add(List.of("--help"));
        runs.add(List.of("-h"));
        runs.add(List.of());
        runs.add(List.of("help"));
        runs.add(List.of("help", "build"));
        runs.add(List.of("help", "--help"));
        runs.add(List.of("--debug", "build", "--help"));
        runs.add(List.of("build", "--debug", "-h"));
        for (String name : subcommandNames()) {
            runs.add(List.of(name, "--help"));
        }
        runs.add(List.of("completion", "bash"));
        runs.add(List.of("completion", "zsh"));
        runs.add(List.of("completion", "fish"));
        // Usage errors: exit code and message.
        runs.add(List.of("biuld"));
        runs.add(List.of("build"));
        runs.add(List.of("build", "--bogus", "ctx"));
        runs.add(List.of("build", "--cpus", "abc", "ctx"));
        runs.add(List.of("build", "--pids-limit", "x", "ctx"));
        runs.add(List.of("build", "--no-cache=maybe", "ctx"));
        runs.add(List.of("build", "-t"));
        runs.add(List.of("build", "ctx", "other"));
        runs.add(List.of("build", "-V"));
        runs.add(List.of("version", "extra"));
        runs.add(List.of("version", "--bogus"));
        runs.add(List.of("version", "-V", "--debug"));
        runs.add(List.of("run"));
        runs.add(List.of("run", "--bogus", "img"));
        runs.add(List.of("images", "--bogus"));
        runs.add(List.of("images", "a", "b", "c"));
        runs.add(List.of("pull"));
        runs.add(List.of("push"));
        runs.add(List.of("tag", "a"));
        runs.add(List.of("rmi"));
        runs.add(List.of("save", "--bogus"));
        runs.add(List.of("load", "x"));
        runs.add(List.of("history"));
        runs.add(List.of("inspect"));
        runs.add(List.of("import"));
        runs.add(List.of("prune", "x"));
        runs.add(List.of("doctor", "x"));
        runs.add(List.of("parse"));
        runs.add(List.of("parse", "--dump", "--json", "Dockerfile"));
        runs.add(List.of("parse", "--json", "--json", "--dump", "-"));
        runs.add(List.of("parse", "--bogus"));
        runs.add(List.of("--bogus"));
        runs.add(List.of("--debug"));
        return runs;
    }

    private static List<String> subcommandNames() {
        CommandLine all = WharfCommand.commandLine(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()));
        return new ArrayList<>(all.getSubcommands().keySet());
    }

    @TestFactory
    Stream<DynamicTest> everyCommandLine_printsWhatTheGoldenFileHolds() {
        return RUNS.stream().map(args -> DynamicTest.dynamicTest("wharf " + String.join(" ", args), () -> {
            CliHarness.Outcome outcome = CliHarness.wharf(args.toArray(new String[0]));
            String actual = "exit: " + outcome.exitCode() + "\n--- out\n" + outcome.out() + "--- err\n"
                    + outcome.err();
            compare("run-" + fileName(args), actual);
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyCommandsModel_isWhatTheGoldenFileHolds() {
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("the whole tree", () -> compare("model-all",
                dump(WharfCommand.commandLine(new PrintWriter(new StringWriter()),
                        new PrintWriter(new StringWriter())).getCommandSpec()))));
        for (String name : subcommandNames()) {
            if (name.equals("help") || name.equals("completion")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest("wharf " + name, () -> compare("model-" + name,
                    dump(WharfCommand.forArgs(new String[] {name}, new PrintWriter(new StringWriter()),
                            new PrintWriter(new StringWriter())).getCommandSpec()))));
        }
        tests.add(DynamicTest.dynamicTest("wharf --version", () -> compare("model-version-flag",
                dump(WharfCommand.forArgs(new String[] {"--version"}, new PrintWriter(new StringWriter()),
                        new PrintWriter(new StringWriter())).getCommandSpec()))));
        return tests.stream();
    }

    private static String fileName(List<String> args) {
        String name = args.isEmpty() ? "nothing" : String.join("_", args);
        return name.replaceAll("[^A-Za-z0-9_=.-]", "").replaceAll("^-+", "");
    }

    private static void compare(String name, String actual) throws IOException {
        if (Boolean.getBoolean("wharf.golden.update")) {
            Files.createDirectories(SOURCE_DIR);
            Files.writeString(SOURCE_DIR.resolve(name + ".txt"), actual);
            return;
        }
        try (InputStream in = CommandModelGoldenTest.class.getResourceAsStream(DIR + name + ".txt")) {
            if (in == null) {
                throw new AssertionError("no golden file " + name + ".txt; actual:\n" + actual);
            }
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual, name);
        }
    }

    /** Every attribute of the parse model that changes what a command accepts or prints. */
    static String dump(CommandSpec spec) {
        StringBuilder b = new StringBuilder();
        dump(spec, b);
        return b.toString();
    }

    private static void dump(CommandSpec spec, StringBuilder b) {
        b.append("command ").append(spec.qualifiedName()).append('\n');
        line(b, "aliases", Arrays.toString(spec.aliases()));
        line(b, "mixins", new TreeMap<>(spec.mixins()).keySet());
        line(b, "mixinStandardHelpOptions", spec.mixinStandardHelpOptions());
        line(b, "helpCommand", spec.helpCommand());
        // The provider's text names the build's version and the JVM: only a static version is compared.
        line(b, "version", spec.versionProvider() == null ? Arrays.toString(spec.version()) : "(provider)");
        line(b, "versionProvider", spec.versionProvider() == null ? null
                : spec.versionProvider().getClass().getName());
        line(b, "scope", spec.scopeType() + " inherited=" + spec.inherited());
        line(b, "exitCodes", "success=" + spec.exitCodeOnSuccess() + " usage=" + spec.exitCodeOnUsageHelp()
                + " version=" + spec.exitCodeOnVersionHelp() + " invalid=" + spec.exitCodeOnInvalidInput()
                + " exception=" + spec.exitCodeOnExecutionException());
        CommandLine.Model.ParserSpec p = spec.parser();
        line(b, "parser", "overwritten=" + p.overwrittenOptionsAllowed() + " stopAtPositional="
                + p.stopAtPositional() + " stopAtUnmatched=" + p.stopAtUnmatched() + " unmatchedAllowed="
                + p.unmatchedArgumentsAllowed() + " clustered=" + p.posixClusteredShortOptionsAllowed()
                + " separator=" + p.separator() + " endOfOptions=" + p.endOfOptionsDelimiter()
                + " abbreviated=" + p.abbreviatedOptionsAllowed() + " caseInsensitive="
                + p.caseInsensitiveEnumValuesAllowed() + " trimQuotes=" + p.trimQuotes()
                + " splitQuotedStrings=" + p.splitQuotedStrings() + " expandAtFiles=" + p.expandAtFiles()
                + " unmatchedOptionsArePositional=" + p.unmatchedOptionsArePositionalParams()
                + " allowOptionsAsOptionParameters=" + p.allowOptionsAsOptionParameters()
                + " allowSubcommandsAsOptionParameters=" + p.allowSubcommandsAsOptionParameters()
                + " useSimplifiedAtFiles=" + p.useSimplifiedAtFiles() + " toggleBoolean="
                + p.toggleBooleanFlags() + " limitSplit=" + p.limitSplit()
                + " aritySatisfiedByAttachedOptionParam=" + p.aritySatisfiedByAttachedOptionParam());
        line(b, "negatableOptionTransformer", spec.negatableOptionTransformer().getClass().getName());
        line(b, "interpolateVariables", spec.interpolateVariables());
        line(b, "subcommandsRepeatable", spec.subcommandsRepeatable());
        line(b, "defaultValueProvider", spec.defaultValueProvider());
        line(b, "unmatchedArgs", spec.unmatchedArgsBindings().size());
        line(b, "argGroups", spec.argGroups().size());
        Map<String, OptionSpec> options = new TreeMap<>();
        for (OptionSpec option : spec.options()) {
            options.put(option.longestName(), option);
        }
        for (OptionSpec o : options.values()) {
            b.append("  option ").append(Arrays.toString(o.names())).append('\n');
            arg(o, b);
            line(b, "  negatable", o.negatable());
            line(b, "  usageHelp/versionHelp/help", o.usageHelp() + "/" + o.versionHelp() + "/" + o.help());
            line(b, "  fallbackValue", o.fallbackValue());
            line(b, "  order", o.order());
        }
        for (PositionalParamSpec p2 : spec.positionalParameters()) {
            b.append("  positional ").append(p2.index()).append('\n');
            arg(p2, b);
        }
        for (Map.Entry<String, CommandLine> sub : spec.subcommands().entrySet()) {
            dump(sub.getValue().getCommandSpec(), b);
        }
    }

    private static void arg(CommandLine.Model.ArgSpec a, StringBuilder b) {
        line(b, "  arity", a.arity() + " type=" + a.type().getName() + " aux="
                + Arrays.stream(a.auxiliaryTypes()).map(Class::getName).toList()
                + " multi=" + a.isMultiValue());
        line(b, "  paramLabel", a.paramLabel() + " hideParamSyntax=" + a.hideParamSyntax());
        line(b, "  required", a.required() + " hidden=" + a.hidden() + " interactive=" + a.interactive()
                + " echo=" + a.echo() + " prompt=" + orEmpty(a.prompt()));
        line(b, "  split", a.splitRegex() + " label=" + a.splitRegexSynopsisLabel());
        line(b, "  defaultValue", a.defaultValue() + " initial=" + a.initialValue() + " hasInitial="
                + a.hasInitialValue() + " showDefault=" + a.showDefaultValue());
        line(b, "  mapFallbackValue", a.mapFallbackValue());
        line(b, "  descriptionKey", orEmpty(a.descriptionKey()));
        line(b, "  description", String.join("|", a.description()));
        line(b, "  scope", a.scopeType() + " inherited=" + a.inherited());
        line(b, "  converters", a.converters() == null ? 0 : a.converters().length);
        line(b, "  completionCandidates", a.completionCandidates() == null ? null
                : String.join(",", toList(a.completionCandidates())));
        line(b, "  parameterConsumer", a.parameterConsumer());
    }

    /**
     * An annotation's unset prompt and description key are empty strings, a model built in code leaves them null;
     * picocli treats both alike (no prompt outside interactive options, no resource bundle to look a key up in).
     */
    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static List<String> toList(Iterable<String> values) {
        List<String> list = new ArrayList<>();
        values.forEach(list::add);
        return list;
    }

    private static void line(StringBuilder b, String key, Object value) {
        b.append("    ").append(key).append(": ").append(value).append('\n');
    }
}
