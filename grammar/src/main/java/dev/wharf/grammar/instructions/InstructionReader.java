package dev.wharf.grammar.instructions;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.go.GoDurations;
import dev.wharf.grammar.go.GoNumbers;
import dev.wharf.grammar.go.GoQuote;
import dev.wharf.grammar.go.GoStrings;
import dev.wharf.grammar.parser.Heredoc;
import dev.wharf.grammar.parser.Heredocs;
import dev.wharf.grammar.parser.Node;
import dev.wharf.grammar.parser.Word;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads one parser {@link Node} as a typed {@link Instruction}: BuildKit's {@code ParseInstruction}
 * ({@code frontend/dockerfile/instructions/parse.go}); {@link DockerfileReader} does the same for a whole file. Argument counts, flags and values are checked in the same
 * order and with the same messages as upstream; where upstream skips a check (STOPSIGNAL and ARG never look at
 * their flags, {@code HEALTHCHECK NONE} neither) wharf skips it too.
 *
 * <p>Stateless and thread-safe.
 */
public final class InstructionReader {

    /** Every instruction name, for the "did you mean" hint (sorted, so the hint is reproducible). */
    private static final List<String> NAMES = List.of("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE",
            "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER",
            "VOLUME", "WORKDIR");

    /** parse.go parseOnBuild; {@code \s} spelled out because RE2's excludes \v. */
    private static final Pattern ONBUILD_PREFIX = Pattern.compile("^[\\t\\n\\f\\r ]*(?i:ONBUILD)[\\t\\n\\f\\r ]*");

    /** parse.go validStageName. */
    private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9_.-]*$");

    private static final Duration MINIMUM_INTERVAL = Duration.ofMillis(1);

    private InstructionReader() {
    }

    /** Parses {@code node}; errors name the file {@code Dockerfile}. */
    public static Instruction parse(Node node) throws DockerfileException {
        return parse("Dockerfile", node);
    }

    /**
     * Parses {@code node} of {@code file}.
     *
     * @throws DockerfileException whose reason is BuildKit's message, located at the offending word
     */
    public static Instruction parse(String file, Node node) throws DockerfileException {
        try {
            return dispatch(Request.of(node));
        } catch (DockerfileException e) {
            throw e.inFile(file);
        }
    }

    private static Instruction dispatch(Request req) throws DockerfileException {
        String keyword = req.keyword().text();
        return switch (GoStrings.toLower(keyword)) {
            case "env" -> new EnvInstruction(req.origin(), keyValues(flagless(req), "ENV"));
            case "maintainer" -> new MaintainerInstruction(req.origin(), exactlyOne(req, "MAINTAINER"));
            case "label" -> new LabelInstruction(req.origin(), keyValues(flagless(req), "LABEL"));
            case "add" -> parseAdd(req);
            case "copy" -> parseCopy(req);
            case "from" -> parseFrom(req);
            case "onbuild" -> parseOnbuild(req);
            case "workdir" -> new WorkdirInstruction(req.origin(), exactlyOne(req, "WORKDIR"));
            case "run" -> RunParser.parse(req);
            case "cmd" -> new CmdInstruction(req.origin(), commandLine(flagless(req)));
            case "healthcheck" -> parseHealthcheck(req);
            case "entrypoint" -> new EntrypointInstruction(req.origin(), commandLine(flagless(req)));
            case "expose" -> parseExpose(req);
            case "user" -> new UserInstruction(req.origin(), exactlyOne(req, "USER"));
            case "volume" -> parseVolume(req);
            case "stopsignal" -> parseStopSignal(req);
            case "arg" -> parseArg(req);
            case "shell" -> parseShell(req);
            default -> throw Errors.error(req.keyword().range(),
                    Suggest.withHint("unknown instruction: " + keyword, keyword, NAMES, false));
        };
    }

    /** Checks that the instruction has no flags (it declares none) and returns it. */
    private static Request flagless(Request req) throws DockerfileException {
        BuildFlags.parse(List.of(), req.flags());
        return req;
    }

    private static Word exactlyOne(Request req, String command) throws DockerfileException {
        if (req.args().size() != 1) {
            throw Errors.exactlyOneArgument(req.range(), command);
        }
        flagless(req);
        return req.args().get(0);
    }

    /** parse.go parseKvps: the parser gives (key, value, separator) triples. */
    private static List<KeyValue> keyValues(Request req, String command) throws DockerfileException {
        List<Word> args = req.args();
        if (args.isEmpty()) {
            throw Errors.atLeastOneArgument(req.range(), command);
        }
        if (args.size() % 3 != 0) {
            // cannot come from the parser
            throw Errors.error(req.range(), "Bad input to " + command + ", too many arguments");
        }
        List<KeyValue> pairs = new ArrayList<>();
        for (int i = 0; i < args.size(); i += 3) {
            if (args.get(i).text().isEmpty()) {
                throw Errors.blankNames(args.get(i).range(), command);
            }
            pairs.add(new KeyValue(args.get(i), args.get(i + 1), args.get(i + 2).text().isEmpty()));
        }
        return pairs;
    }

    /** support.go handleJSONArgs: exec form keeps the words, shell form joins them with single spaces. */
    static List<Word> handleJsonArgs(List<Word> args, boolean json) {
        if (args.isEmpty() || json) {
            return List.copyOf(args);
        }
        String joined = String.join(" ", args.stream().map(Word::text).toList());
        return List.of(new Word(joined, Request.span(args, args.get(0).range())));
    }

    /** parse.go parseShellDependentCommand. */
    static CommandLine commandLine(Request req) {
        List<InlineFile> files = new ArrayList<>();
        for (Heredoc heredoc : req.heredocs()) {
            files.add(new InlineFile(heredoc.name(), heredoc.content(), heredoc.chomp()));
        }
        return new CommandLine(handleJsonArgs(req.args(), req.json()), !req.json(), files);
    }

    private static AddInstruction parseAdd(Request req) throws DockerfileException {
        if (req.args().size() < 2) {
            throw Errors.noDestination(req.range(), "ADD");
        }
        ParsedFlags flags = BuildFlags.parse(List.of(
                FlagSpec.string("chown", ""),
                FlagSpec.string("chmod", ""),
                FlagSpec.bool("link", false),
                FlagSpec.bool("keep-git-dir", false),
                FlagSpec.string("checksum", ""),
                FlagSpec.bool("unpack", false),
                FlagSpec.strings("exclude")), req.flags());
        SourcesAndDest files = sourcesAndDest(req, "ADD");
        return new AddInstruction(req.origin(), files, flags.word("chown"), flags.word("chmod"),
                flags.isTrue("link"), optionalBool(flags, "keep-git-dir"), flags.word("checksum"),
                optionalBool(flags, "unpack"), flags.list("exclude"));
    }

    private static Optional<Boolean> optionalBool(ParsedFlags flags, String name) {
        return flags.isUsed(name) ? Optional.of(flags.isTrue(name)) : Optional.empty();
    }

    private static CopyInstruction parseCopy(Request req) throws DockerfileException {
        if (req.args().size() < 2) {
            throw Errors.noDestination(req.range(), "COPY");
        }
        ParsedFlags flags = BuildFlags.parse(List.of(
                FlagSpec.string("chown", ""),
                FlagSpec.string("from", ""),
                FlagSpec.string("chmod", ""),
                FlagSpec.bool("link", false),
                FlagSpec.strings("exclude"),
                FlagSpec.bool("parents", false)), req.flags());
        SourcesAndDest files = sourcesAndDest(req, "COPY");
        return new CopyInstruction(req.origin(), files, flags.word("from"), flags.word("chown"),
                flags.word("chmod"), flags.isTrue("link"), flags.isTrue("parents"), flags.list("exclude"));
    }

    /** parse.go parseSourcesAndDest: heredoc operands become inline contents, chomped here for {@code <<-}. */
    private static SourcesAndDest sourcesAndDest(Request req, String command) throws DockerfileException {
        List<Word> args = req.args();
        Word dest = args.get(args.size() - 1);
        if (heredocOperand(dest.text()).isPresent()) {
            throw Errors.error(dest.range(), command + " cannot accept a heredoc as a destination");
        }
        Map<String, Heredoc> byName = new HashMap<>();
        for (Heredoc heredoc : req.heredocs()) {
            byName.put(heredoc.name(), heredoc);
        }
        List<Word> paths = new ArrayList<>();
        List<SourceContent> contents = new ArrayList<>();
        for (Word src : args.subList(0, args.size() - 1)) {
            Optional<Heredoc> heredoc = heredocOperand(src.text());
            if (heredoc.isPresent()) {
                Heredoc body = byName.get(heredoc.get().name());
                String data = body == null ? "" : body.content();
                if (heredoc.get().chomp()) {
                    data = Heredocs.chomp(data);
                }
                contents.add(new SourceContent(heredoc.get().name(), data, heredoc.get().expand(), src.range()));
            } else {
                paths.add(src);
            }
        }
        return new SourcesAndDest(dest, paths, contents);
    }

    /**
     * parser.MustParseHeredoc: the heredoc a COPY/ADD operand names, or empty when it names none or cannot be
     * lexed (MustParseHeredoc drops ParseHeredoc's error).
     */
    static Optional<Heredoc> heredocOperand(String word) {
        try {
            return Heredocs.parseWord(word);
        } catch (DockerfileException e) {
            return Optional.empty();
        }
    }

    private static FromInstruction parseFrom(Request req) throws DockerfileException {
        List<String> args = req.argValues();
        Optional<String> stageName = Optional.empty();
        Optional<Word> nameWord = Optional.empty();
        if (args.size() == 3 && GoStrings.equalFold(args.get(1), "as")) {
            Word written = req.args().get(2);
            String lower = GoStrings.toLower(written.text());
            if (!STAGE_NAME.matcher(lower).matches()) {
                throw Errors.error(written.range(), "invalid name for build stage: " + GoQuote.quote(written.text())
                        + ", name can't start with a number or contain symbols");
            }
            stageName = Optional.of(lower);
            nameWord = Optional.of(written);
        } else if (args.size() != 1) {
            throw Errors.error(req.range(), "FROM requires either one or three arguments");
        }
        ParsedFlags flags = BuildFlags.parse(List.of(FlagSpec.string("platform", "")), req.flags());
        return new FromInstruction(req.origin(), req.args().get(0), stageName, nameWord, flags.word("platform"),
                docComment(req.comments(), stageName.orElse("")));
    }

    /** parse.go getDocComment: the first comment line that starts with {@code name} and a space. */
    static String docComment(List<String> comments, String name) {
        if (name.isEmpty()) {
            return "";
        }
        for (String line : comments) {
            if (line.startsWith(name + " ")) {
                return line.substring(name.length() + 1);
            }
        }
        return "";
    }

    private static OnbuildInstruction parseOnbuild(Request req) throws DockerfileException {
        if (req.args().isEmpty()) {
            throw Errors.atLeastOneArgument(req.range(), "ONBUILD");
        }
        flagless(req);
        Word trigger = req.args().get(0);
        String name = GoStrings.toUpper(GoStrings.trimSpace(trigger.text()));
        switch (name) {
            case "ONBUILD" -> throw Errors.error(trigger.range(),
                    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            case "MAINTAINER", "FROM" -> throw Errors.error(trigger.range(),
                    name + " isn't allowed as an ONBUILD trigger");
            default -> {
            }
        }
        StringBuilder expression = new StringBuilder(ONBUILD_PREFIX.matcher(req.original()).replaceFirst(""));
        for (Heredoc heredoc : req.heredocs()) {
            expression.append('\n').append(heredoc.content()).append(heredoc.name());
        }
        return new OnbuildInstruction(req.origin(), trigger, expression.toString());
    }

    private static HealthcheckInstruction parseHealthcheck(Request req) throws DockerfileException {
        if (req.args().isEmpty()) {
            throw Errors.atLeastOneArgument(req.range(), "HEALTHCHECK");
        }
        Word typeWord = req.args().get(0);
        String type = GoStrings.toUpper(typeWord.text());
        List<Word> args = req.args().subList(1, req.args().size());
        if (type.equals("NONE")) {
            if (!args.isEmpty()) {
                throw Errors.error(req.range(), "HEALTHCHECK NONE takes no arguments");
            }
            // upstream does not look at the flags of HEALTHCHECK NONE
            return new HealthcheckInstruction(req.origin(), Healthcheck.none());
        }
        ParsedFlags flags = BuildFlags.parse(List.of(
                FlagSpec.string("interval", ""),
                FlagSpec.string("timeout", ""),
                FlagSpec.string("start-period", ""),
                FlagSpec.string("start-interval", ""),
                FlagSpec.string("retries", "")), req.flags());
        if (!type.equals("CMD")) {
            throw Errors.error(typeWord.range(), "Unknown type " + GoQuote.quote(type) + " in HEALTHCHECK (try CMD)");
        }
        List<Word> command = handleJsonArgs(args, req.json());
        if (command.isEmpty()) {
            throw Errors.error(req.range(), "Missing command after HEALTHCHECK CMD");
        }
        List<String> test = new ArrayList<>();
        test.add(req.json() ? type : "CMD-SHELL");
        command.forEach(word -> test.add(word.text()));
        Duration interval = interval(flags, "interval", req.range());
        Duration timeout = interval(flags, "timeout", req.range());
        Duration startPeriod = interval(flags, "start-period", req.range());
        Duration startInterval = interval(flags, "start-interval", req.range());
        int retries = 0;
        String retriesText = flags.value("retries");
        if (!retriesText.isEmpty()) {
            SourceRange at = flags.word("retries").map(Word::range).orElse(req.range());
            try {
                retries = GoNumbers.parseInt32(retriesText);
            } catch (DockerfileException e) {
                throw Errors.at(at, e);
            }
            if (retries < 0) {
                throw Errors.error(at, "--retries cannot be negative (" + retries + ")");
            }
        }
        return new HealthcheckInstruction(req.origin(),
                new Healthcheck(test, interval, timeout, startPeriod, startInterval, retries));
    }

    private static Duration interval(ParsedFlags flags, String name, SourceRange fallback)
            throws DockerfileException {
        try {
            return healthcheckDuration(name, flags.value(name));
        } catch (DockerfileException e) {
            throw Errors.at(flags.word(name).map(Word::range).orElse(fallback), e);
        }
    }

    /**
     * parse.go parseOptInterval: "" and 0 mean "use the default" (zero); otherwise a Go duration of at least 1ms.
     *
     * @throws DockerfileException unlocated, with Go's or BuildKit's message
     */
    public static Duration healthcheckDuration(String flagName, String value) throws DockerfileException {
        if (value.isEmpty()) {
            return Duration.ZERO;
        }
        Duration d = GoDurations.parse(value);
        if (d.isZero()) {
            return Duration.ZERO;
        }
        if (d.compareTo(MINIMUM_INTERVAL) < 0) {
            throw Errors.unlocated("Interval " + GoQuote.quote(flagName) + " cannot be less than 1ms");
        }
        return d;
    }

    private static ExposeInstruction parseExpose(Request req) throws DockerfileException {
        if (req.args().isEmpty()) {
            throw Errors.atLeastOneArgument(req.range(), "EXPOSE");
        }
        flagless(req);
        List<Word> ports = new ArrayList<>(req.args());
        // upstream sorts the ports (slices.Sort)
        ports.sort((a, b) -> GoStrings.CODE_POINT_ORDER.compare(a.text(), b.text()));
        return new ExposeInstruction(req.origin(), ports);
    }

    private static VolumeInstruction parseVolume(Request req) throws DockerfileException {
        if (req.args().isEmpty()) {
            throw Errors.atLeastOneArgument(req.range(), "VOLUME");
        }
        flagless(req);
        List<Word> volumes = new ArrayList<>();
        for (Word v : req.args()) {
            String trimmed = GoStrings.trimSpace(v.text());
            if (trimmed.isEmpty()) {
                throw Errors.error(v.range(), "VOLUME specified can not be an empty string");
            }
            volumes.add(new Word(trimmed, v.range()));
        }
        return new VolumeInstruction(req.origin(), volumes);
    }

    private static StopSignalInstruction parseStopSignal(Request req) throws DockerfileException {
        if (req.args().size() != 1) {
            throw Errors.exactlyOneArgument(req.range(), "STOPSIGNAL");
        }
        // upstream never validates STOPSIGNAL's flags
        return new StopSignalInstruction(req.origin(), req.args().get(0));
    }

    private static ArgInstruction parseArg(Request req) throws DockerfileException {
        if (req.args().isEmpty()) {
            throw Errors.atLeastOneArgument(req.range(), "ARG");
        }
        // upstream never validates ARG's flags
        List<ArgDefinition> defs = new ArrayList<>();
        for (Word arg : req.args()) {
            String text = arg.text();
            int eq = text.indexOf('=');
            String key = eq < 0 ? text : text.substring(0, eq);
            if (eq == 0) {
                throw Errors.blankNames(arg.range(), "ARG");
            }
            Optional<String> value = eq < 0 ? Optional.empty() : Optional.of(text.substring(eq + 1));
            defs.add(new ArgDefinition(key, value, docComment(req.comments(), key), arg.range()));
        }
        return new ArgInstruction(req.origin(), defs);
    }

    private static ShellInstruction parseShell(Request req) throws DockerfileException {
        flagless(req);
        List<Word> shell = handleJsonArgs(req.args(), req.json());
        if (shell.isEmpty()) {
            throw Errors.atLeastOneArgument(req.range(), "SHELL");
        }
        if (!req.json()) {
            throw Errors.error(req.range(), "SHELL requires the arguments to be in JSON form");
        }
        return new ShellInstruction(req.origin(), shell);
    }
}
