package dev.wharf.grammar.parser;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.go.GoQuote;
import dev.wharf.grammar.go.GoStrings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Turns one logical instruction line into keyword, flags and argument words with the ANTLR grammar
 * ({@code InstructionLexer.g4}, {@code InstructionParser.g4}): BuildKit's {@code newNodeFromLine},
 * {@code splitCommand} and the line parsers of line_parsers.go.
 *
 * <p>Not thread-safe: it reuses one lexer and one parser (the heavy ATN and DFA caches are shared by ANTLR
 * anyway). Create one per parse. ANTLR never prints (listeners removed) and its exceptions never escape:
 * parsing runs in SLL mode with a bail-out strategy, then once more in full LL mode, and any remaining
 * error becomes a {@link DockerfileException}.
 */
final class InstructionLines {

    static final String NOT_STRING_ARRAY = "when using JSON array syntax, arrays must be comprised of strings only";

    /**
     * ONBUILD nesting the parser follows. BuildKit's parser has no limit, but every level re-parses the rest of the
     * line and keeps it as {@code original}, which is quadratic in time and memory for a 64 KiB line of ONBUILDs.
     * Deeper nesting fails with the error BuildKit's instruction layer gives for any ONBUILD ONBUILD, so the
     * end result for the user is the same.
     */
    static final int MAX_ONBUILD_NESTING = 100;
    static final String ONBUILD_CHAINING = "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed";

    /** Deeper JSON is checked with an iterative parser so that the recursive grammar cannot exhaust the stack. */
    private static final int ANTLR_JSON_DEPTH = 200;

    private final String file;
    private final InstructionLexer lexer;
    private final InstructionParser parser;
    private final ErrorCounter errors = new ErrorCounter();

    InstructionLines(String file) {
        this.file = file;
        this.lexer = new InstructionLexer(CharStreams.fromString(""));
        this.lexer.removeErrorListeners();
        this.parser = new InstructionParser(new CommonTokenStream(lexer));
        this.parser.removeErrorListeners();
        this.parser.addErrorListener(errors);
    }

    /** One level of an instruction: ONBUILD has a nested level in {@code childFrom..childTo}. */
    record Level(String keyword, Word keywordWord, List<Word> flags, List<Word> arguments, boolean json,
                 String original, int childFrom, int childTo) {
    }

    /** An argument of the line as a byte range of a {@link ByteText} plus its value. */
    private record Piece(int from, int to, String text) {
    }

    // ------------------------------------------------------------------------------------------- instruction

    /**
     * Parses {@code line[from,to)} as an instruction (BuildKit's newNodeFromLine); ONBUILD levels are returned
     * outermost first, parsed iteratively so that deep nesting cannot exhaust the stack.
     */
    List<Level> instruction(LogicalLine line, int from, int to, int escape) throws DockerfileException {
        List<Level> levels = new ArrayList<>(1);
        int start = from;
        int end = to;
        while (true) {
            Level level = level(line, start, end, escape);
            levels.add(level);
            if (!level.keyword().equals("onbuild") || level.childFrom() < 0) {
                return levels;
            }
            if (levels.size() > MAX_ONBUILD_NESTING) {
                throw new DockerfileException(file, level.keywordWord().range(), ONBUILD_CHAINING);
            }
            start = level.childFrom();
            end = level.childTo();
        }
    }

    private Level level(LogicalLine line, int from, int to, int escape) throws DockerfileException {
        String text = line.text();
        String original = text.substring(from, to);
        int a = GoStrings.skipSpace(text, from, to);
        int b = GoStrings.trimEnd(text, a, to);
        ByteText bt = ByteText.of(text, a, b);
        InstructionParser.CommandLineContext cmd =
                parse(bt.bytes, InstructionLexer.DEFAULT_MODE, escape, InstructionParser::commandLine);

        TerminalNode kw = cmd.KEYWORD();
        String keywordText = kw == null ? "" : ByteText.decode(kw.getText());
        int kwFrom = kw == null ? 0 : kw.getSymbol().getStartIndex();
        int kwTo = kw == null ? 0 : kw.getSymbol().getStopIndex() + 1;
        Word keywordWord = word(line, bt, kwFrom, kwTo, keywordText);
        String keyword = GoStrings.toLower(keywordText);

        List<Word> flags = new ArrayList<>();
        int restFrom = bt.bytes.length();
        InstructionParser.FlagSectionContext section = cmd.flagSection();
        if (section != null) {
            for (TerminalNode flag : section.FLAG()) {
                Token t = flag.getSymbol();
                flags.add(word(line, bt, t.getStartIndex(), t.getStopIndex() + 1, FlagWords.cook(t.getText(), escape)));
            }
            TerminalNode rest = section.REST() != null ? section.REST() : section.REST_ALL();
            if (rest != null) {
                restFrom = rest.getSymbol().getStartIndex();
            }
        }
        // strings.TrimSpace(args): the line end is trimmed already
        int restTo = bt.bytes.length();
        restFrom = ByteText.skipByteSpaces(bt.bytes, restFrom, restTo);

        List<Word> args = new ArrayList<>();
        boolean json = false;
        int childFrom = -1;
        int childTo = -1;
        switch (keyword) {
            case "run", "cmd", "entrypoint", "shell" -> json = maybeJson(line, bt, restFrom, restTo, args, false);
            case "add", "copy", "volume" -> json = maybeJson(line, bt, restFrom, restTo, args, true);
            case "from", "expose" -> splitOnWhitespace(line, bt, restFrom, restTo, args);
            case "env" -> nameValues(line, bt, restFrom, restTo, "ENV", escape, args);
            case "label" -> nameValues(line, bt, restFrom, restTo, "LABEL", escape, args);
            case "arg" -> {
                for (Piece p : words(bt, restFrom, restTo, escape)) {
                    args.add(word(line, bt, p.from(), p.to(), ByteText.decode(p.text())));
                }
            }
            case "maintainer", "user", "workdir", "stopsignal" -> {
                if (restFrom < restTo) {
                    args.add(word(line, bt, restFrom, restTo, ByteText.decode(bt.bytes, restFrom, restTo)));
                }
            }
            case "healthcheck" -> json = healthcheck(line, bt, restFrom, restTo, escape, args);
            case "onbuild" -> {
                if (restFrom < restTo) {
                    childFrom = bt.sourceIndex(restFrom);
                    childTo = bt.sourceEnd(restTo);
                }
            }
            default -> {
                // parseIgnore: unknown instructions get one empty argument; the instruction layer rejects them
                args.add(word(line, bt, kwTo, kwTo, ""));
            }
        }
        return new Level(keyword, keywordWord, flags, args, json, original, childFrom, childTo);
    }

    // ------------------------------------------------------------------------------------------- shapes

    /** parseMaybeJSON / parseMaybeJSONToList; returns whether the JSON form was used. */
    private boolean maybeJson(LogicalLine line, ByteText bt, int from, int to, List<Word> args, boolean toList)
            throws DockerfileException {
        Optional<List<Piece>> json = jsonArray(line, bt, from, to);
        if (json.isPresent()) {
            for (Piece p : json.get()) {
                args.add(word(line, bt, p.from(), p.to(), p.text()));
            }
            return true;
        }
        if (toList) {
            splitOnWhitespace(line, bt, from, to, args);
        } else if (from < to) {
            args.add(word(line, bt, from, to, ByteText.decode(bt.bytes, from, to)));
        }
        return false;
    }

    /**
     * BuildKit's parseJSON: empty when the text is not a JSON array (shell form), the element strings otherwise.
     * A valid JSON array holding anything but strings is an error.
     */
    private Optional<List<Piece>> jsonArray(LogicalLine line, ByteText bt, int from, int to) throws DockerfileException {
        int first = ByteText.skipByteSpaces(bt.bytes, from, to);
        if (first == to || bt.bytes.charAt(first) != '[') {
            return Optional.empty(); // errDockerfileNotJSONArray: fast path, same answer as the grammar
        }
        int depth = JsonStrings.depth(bt.bytes, first, to);
        if (depth > JsonStrings.GO_MAX_DEPTH) {
            return Optional.empty();
        }
        if (depth > ANTLR_JSON_DEPTH) {
            if (JsonStrings.validDeep(ByteText.decode(bt.bytes, first, to))) {
                throw error(line, bt, from, to, NOT_STRING_ARRAY);
            }
            return Optional.empty();
        }
        String slice = bt.bytes.substring(from, to);
        InstructionParser.MaybeJsonContext ctx = parse(slice, InstructionLexer.JSON, '\\',
                InstructionParser::maybeJson);
        if (!(ctx instanceof InstructionParser.JsonFormContext form)) {
            return Optional.empty();
        }
        // encoding/json fails on a number out of float64 range: then it is not JSON at all
        CommonTokenStream tokens = (CommonTokenStream) parser.getTokenStream();
        for (Token t : tokens.getTokens()) {
            if (t.getType() == InstructionLexer.J_NUMBER && JsonStrings.overflows(t.getText())) {
                return Optional.empty();
            }
        }
        List<Piece> values = new ArrayList<>();
        for (InstructionParser.JsonValueContext value : form.jsonArray().jsonValue()) {
            int s = from + value.getStart().getStartIndex();
            int e = from + value.getStop().getStopIndex() + 1;
            if (value.J_STRING() == null) {
                throw error(line, bt, s, e, NOT_STRING_ARRAY);
            }
            values.add(new Piece(s, e, JsonStrings.unquote(value.J_STRING().getText())));
        }
        return Optional.of(values);
    }

    /** parseStringsWhitespaceDelimited: split on runs of [\t\v\f\r ], no quote handling. */
    private void splitOnWhitespace(LogicalLine line, ByteText bt, int from, int to, List<Word> args)
            throws DockerfileException {
        for (Piece p : split(bt, from, to)) {
            args.add(word(line, bt, p.from(), p.to(), ByteText.decode(p.text())));
        }
    }

    /**
     * regexp.Split(rest, -1) on [\t\v\f\r ]+: like Go, white space at an edge gives an empty piece there (the
     * parser's own input is trimmed, so only the helper API sees those).
     */
    private List<Piece> split(ByteText bt, int from, int to) throws DockerfileException {
        List<Piece> pieces = new ArrayList<>();
        if (from >= to) {
            return pieces;
        }
        int start = from;
        for (Token t : spaceTokens(bt, from, to)) {
            if (t.getType() == InstructionLexer.S_SPACE) {
                int s = from + t.getStartIndex();
                pieces.add(new Piece(start, s, bt.bytes.substring(start, s)));
                start = from + t.getStopIndex() + 1;
            }
        }
        pieces.add(new Piece(start, to, bt.bytes.substring(start, to)));
        return pieces;
    }

    /** The S_WORD and S_SPACE tokens of {@code bytes[from,to)} from the spaceSeparated rule. */
    private List<Token> spaceTokens(ByteText bt, int from, int to) throws DockerfileException {
        InstructionParser.SpaceSeparatedContext ctx = parse(bt.bytes.substring(from, to), InstructionLexer.SPLIT,
                '\\', InstructionParser::spaceSeparated);
        List<Token> tokens = new ArrayList<>(ctx.getChildCount());
        for (int i = 0; i < ctx.getChildCount(); i++) {
            if (ctx.getChild(i) instanceof TerminalNode node && node.getSymbol().getType() != Token.EOF) {
                tokens.add(node.getSymbol());
            }
        }
        return tokens;
    }

    /** parseWords: quote-aware split that keeps quotes and escape characters in the words (byte strings). */
    private List<Piece> words(ByteText bt, int from, int to, int escape) throws DockerfileException {
        List<Piece> words = new ArrayList<>();
        if (from >= to) {
            return words;
        }
        InstructionParser.WordListContext ctx = parse(bt.bytes.substring(from, to), InstructionLexer.WORDS, escape,
                InstructionParser::wordList);
        for (InstructionParser.WordContext w : ctx.word()) {
            int s = w.getStart().getStartIndex();
            int e = w.getStop().getStopIndex() + 1;
            String text = w.getText();
            if (e == to - from && endsWithDanglingEscape(w.getStop(), escape)) {
                text = text.substring(0, text.length() - 1); // "just skip an escape token at end of line"
            }
            if (!text.isEmpty()) {
                words.add(new Piece(from + s, from + e, text));
            }
        }
        return words;
    }

    private static boolean endsWithDanglingEscape(Token last, int escape) {
        String t = last.getText();
        if (last.getType() == InstructionLexer.W_ESCAPED) {
            return t.length() == 1;
        }
        if (last.getType() != InstructionLexer.W_DQUOTE) {
            return false;
        }
        for (int i = 1; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == escape) {
                if (i + 1 == t.length()) {
                    return true;
                }
                i++;
            } else if (c == '"') {
                return false;
            }
        }
        return false;
    }

    /** parseNameVal: ENV and LABEL, old {@code KEY value} form or {@code k=v} words; triples key, value, sep. */
    private void nameValues(LogicalLine line, ByteText bt, int from, int to, String instruction, int escape,
                            List<Word> args) throws DockerfileException {
        List<Piece> words = words(bt, from, to, escape);
        if (words.isEmpty()) {
            return;
        }
        if (words.get(0).text().indexOf('=') < 0) {
            // old form: reWhitespace.Split(rest, 2), the key before the first white space, the value after it
            Token space = null;
            for (Token t : spaceTokens(bt, from, to)) {
                if (t.getType() == InstructionLexer.S_SPACE) {
                    space = t;
                    break;
                }
            }
            if (space == null) {
                throw error(line, bt, from, to, instruction + " must have two arguments");
            }
            int keyTo = from + space.getStartIndex();
            int valueFrom = from + space.getStopIndex() + 1;
            args.add(word(line, bt, from, keyTo, ByteText.decode(bt.bytes, from, keyTo)));
            args.add(word(line, bt, valueFrom, to, ByteText.decode(bt.bytes, valueFrom, to)));
            args.add(word(line, bt, to, to, ""));
            return;
        }
        for (Piece w : words) {
            int eq = w.text().indexOf('=');
            if (eq < 0) {
                throw error(line, bt, w.from(), w.to(), "Syntax error - can't find = in "
                        + GoQuote.quote(ByteText.decode(w.text())) + ". Must be of the form: name=value");
            }
            int at = w.from() + eq;
            args.add(word(line, bt, w.from(), at, ByteText.decode(w.text().substring(0, eq))));
            args.add(word(line, bt, at + 1, w.to(), ByteText.decode(w.text().substring(eq + 1))));
            args.add(word(line, bt, at, at + 1, "="));
        }
    }

    /** parseHealthConfig: the type word, then "maybe JSON". */
    private boolean healthcheck(LogicalLine line, ByteText bt, int from, int to, int escape, List<Word> args)
            throws DockerfileException {
        if (from >= to) {
            return false;
        }
        InstructionParser.HealthcheckContext ctx = parse(bt.bytes.substring(from, to), InstructionLexer.HEALTH,
                escape, InstructionParser::healthcheck);
        Token type = ctx.H_TYPE().getSymbol();
        int typeTo = from + type.getStopIndex() + 1;
        args.add(word(line, bt, from, typeTo, ByteText.decode(type.getText())));
        if (ctx.REST_ALL() == null) {
            return false;
        }
        int cmdFrom = from + ctx.REST_ALL().getSymbol().getStartIndex();
        return maybeJson(line, bt, cmdFrom, to, args, false);
    }

    // ------------------------------------------------------------------------------------------- helpers

    private Word word(LogicalLine line, ByteText bt, int byteFrom, int byteTo, String text) {
        int s = bt.sourceIndex(byteFrom);
        int e = byteTo <= byteFrom ? s : bt.sourceEnd(byteTo);
        return new Word(text, line.range(s, e));
    }

    private DockerfileException error(LogicalLine line, ByteText bt, int byteFrom, int byteTo, String reason) {
        int s = bt.sourceIndex(byteFrom);
        int e = byteTo <= byteFrom ? s : bt.sourceEnd(byteTo);
        SourceRange range = line.range(s, e);
        return new DockerfileException(file, range, reason);
    }

    /** Runs {@code rule} on {@code bytes} lexed from {@code mode}: SLL first, full LL when SLL gives up. */
    private <T extends ParserRuleContext> T parse(String bytes, int mode, int escape,
                                                  Function<InstructionParser, T> rule) throws DockerfileException {
        lexer.setInputStream(CharStreams.fromString(bytes));
        lexer.setEscapeChar(escape);
        lexer.mode(mode);
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        parser.setTokenStream(tokens);
        parser.setErrorHandler(new BailErrorStrategy());
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        errors.count = 0;
        try {
            return rule.apply(parser);
        } catch (ParseCancellationException sllFailed) {
            tokens.seek(0);
            parser.reset();
            parser.setErrorHandler(new DefaultErrorStrategy());
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            errors.count = 0;
            try {
                T result = rule.apply(parser);
                if (errors.count == 0) {
                    return result;
                }
                throw new DockerfileException(file, null, "internal parser error: " + errors.first);
            } catch (RecognitionException | ParseCancellationException e) {
                throw new DockerfileException(file, null, "internal parser error: " + e, e);
            }
        } catch (RuntimeException e) {
            throw new DockerfileException(file, null, "internal parser error: " + e, e);
        }
    }

    /** Counts syntax errors instead of printing them (ANTLR's default listener writes to stderr). */
    private static final class ErrorCounter extends BaseErrorListener {
        int count;
        String first;

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int column,
                                String msg, RecognitionException e) {
            if (count++ == 0) {
                first = String.format(Locale.ROOT, "%d:%d %s", line, column, msg);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- helper API

    /** The quote-keeping words of {@code text} (BuildKit's parseWords). */
    List<String> words(String text, int escape) throws DockerfileException {
        ByteText bt = ByteText.of(text, 0, text.length());
        List<String> out = new ArrayList<>();
        for (Piece p : words(bt, 0, bt.bytes.length(), escape)) {
            out.add(ByteText.decode(p.text()));
        }
        return out;
    }

    /** BuildKit's parseJSON on {@code text}: empty when not a JSON array. */
    Optional<List<String>> jsonArray(String text) throws DockerfileException {
        LogicalLine line = new LogicalLine.Builder().append(text, 0, text.length(), 1, 1).build();
        ByteText bt = ByteText.of(text, 0, text.length());
        int to = bt.bytes.length();
        int end = to;
        // json.Unmarshal accepts JSON white space after the value; the callers' text is trimmed already
        while (end > 0 && " \t\r\n".indexOf(bt.bytes.charAt(end - 1)) >= 0) {
            end--;
        }
        return jsonArray(line, bt, 0, end).map(pieces -> pieces.stream().map(Piece::text).toList());
    }

    /** The parts of a heredoc word matched by reHeredoc: file descriptor digits, chomp, delimiter text. */
    record Marker(String digits, boolean chomp, String rest) {
    }

    /** Matches one shell word against the heredoc marker rule; empty when it is not one. */
    Optional<Marker> heredocMarker(String word) throws DockerfileException {
        ByteText bt = ByteText.of(word, 0, word.length());
        InstructionParser.HeredocMarkerContext ctx = parse(bt.bytes, InstructionLexer.HEREDOC, '\\',
                InstructionParser::heredocMarker);
        if (!(ctx instanceof InstructionParser.MarkerContext m)) {
            return Optional.empty();
        }
        return Optional.of(new Marker(m.HD_DIGITS() == null ? "" : m.HD_DIGITS().getText(), m.HD_CHOMP() != null,
                m.HD_NAME() == null ? "" : ByteText.decode(m.HD_NAME().getText())));
    }

    /** BuildKit's parseNameVal: the key, value, separator triples of an ENV or LABEL rest. */
    List<String> nameValues(String rest, String instruction, int escape) throws DockerfileException {
        LogicalLine line = new LogicalLine.Builder().append(rest, 0, rest.length(), 1, 1).build();
        ByteText bt = ByteText.of(rest, 0, rest.length());
        List<Word> args = new ArrayList<>();
        nameValues(line, bt, 0, bt.bytes.length(), instruction, escape, args);
        return args.stream().map(Word::text).toList();
    }
}
