package dev.wharf.grammar.parser;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.go.GoStrings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses Dockerfile text into {@link ParseResult}: BuildKit's {@code parser.Parse} (parser.go).
 *
 * <p>Stateless and thread-safe: every call works on its own objects. The physical-line layer (directives, BOM,
 * line continuations, comments, empty continuation lines, heredoc bodies, the 64 KiB line limit) is written
 * here as BuildKit writes it; each logical line is then handed to the ANTLR grammar through
 * {@link InstructionLines}, with a map back to physical lines and columns for every word.
 */
public final class DockerfileParser {

    private static final String EMPTY_CONTINUATION_DETAIL =
            "Empty continuation lines will become errors in a future release";
    private static final String EMPTY_CONTINUATION_URL =
            "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/";

    private DockerfileParser() {
    }

    /**
     * Parses {@code text}; errors name {@code file}.
     *
     * @throws DockerfileException for every syntax error BuildKit's parser reports, with BuildKit's message as
     *                             {@link DockerfileException#reason()} and the lines (and columns, where known)
     */
    public static ParseResult parse(String file, String text) throws DockerfileException {
        java.util.Objects.requireNonNull(text, "text");
        return new Run(file == null ? "Dockerfile" : file, text).parse();
    }

    /** Parses {@code text}, errors naming it {@code Dockerfile}. */
    public static ParseResult parse(String text) throws DockerfileException {
        return parse("Dockerfile", text);
    }

    /** The state of one parse. */
    private static final class Run {
        private final String file;
        /** The text the current physical line's indexes refer to (see {@link PhysicalLines#source()}). */
        private String src;
        private final PhysicalLines lines;
        private final InstructionLines instructions;
        private final DirectiveParser directiveParser;
        private final Map<String, String> directives = new LinkedHashMap<>();
        private char escape = Directives.DEFAULT_ESCAPE;
        private int currentLine;

        Run(String file, String text) {
            this.file = file;
            // discardBOM on the first line
            this.lines = new PhysicalLines(text.startsWith("\uFEFF") ? text.substring(1) : text);
            this.src = lines.source();
            this.instructions = new InstructionLines(file);
            this.directiveParser = new DirectiveParser("#", 0, file);
        }

        ParseResult parse() throws DockerfileException {
            List<Node> children = new ArrayList<>();
            List<Warning> warnings = new ArrayList<>();
            List<String> comments = new ArrayList<>();
            int rootStart = -1;
            int rootEnd = -1;
            while (lines.next()) {
                src = lines.source();
                int s = lines.start();
                int e = lines.end();
                if (isComment(s, lines.rawEnd())) {
                    String comment = comment(s, lines.rawEnd());
                    if (comment.isEmpty()) {
                        comments.clear();
                    } else {
                        comments.add(comment);
                    }
                }
                int ts = GoStrings.skipSpace(src, s, e);
                if (directive(ts, e) && !comments.isEmpty()) {
                    comments.remove(comments.size() - 1); // a directive is not a comment of the next instruction
                }
                int te = isComment(ts, e) ? ts : e; // trimComments
                currentLine++;
                int startLine = currentLine;

                int keep = continuation(ts, te);
                boolean endOfLine = keep < 0;
                if (endOfLine) {
                    keep = te;
                    if (keep == ts) {
                        continue;
                    }
                }
                LogicalLine.Builder builder = new LogicalLine.Builder()
                        .append(src, ts, keep, currentLine, ts - s + 1);
                boolean emptyContinuation = false;
                while (!endOfLine && lines.next()) {
                    src = lines.source();
                    int s2 = lines.start();
                    int e2 = lines.end();
                    directive(s2, e2);
                    currentLine++;
                    if (isComment(s2, lines.rawEnd())) {
                        continue;
                    }
                    if (GoStrings.skipSpace(src, s2, e2) == e2) {
                        emptyContinuation = true;
                        continue;
                    }
                    int k = continuation(s2, e2);
                    endOfLine = k < 0;
                    builder.append(src, s2, endOfLine ? e2 : k, currentLine, 1);
                }
                LogicalLine line = builder.build();
                String text = line.text();
                if (emptyContinuation) {
                    warnings.add(new Warning("Empty continuation line found in: " + text, EMPTY_CONTINUATION_DETAIL,
                            EMPTY_CONTINUATION_URL, SourceRange.ofLines(currentLine, currentLine)));
                }
                List<InstructionLines.Level> levels = instructions.instruction(line, 0, text.length(), escape);
                List<Heredoc> heredocs = heredocs(levels, text, startLine);
                children.add(node(levels, heredocs, comments, SourceRange.ofLines(startLine, currentLine)));
                if (rootStart < 0) {
                    rootStart = startLine;
                }
                rootEnd = currentLine;
                comments = new ArrayList<>();
            }
            if (children.isEmpty()) {
                throw new DockerfileException(file, SourceRange.at(Position.ofLine(Math.max(currentLine, 1))),
                        "file with no instructions");
            }
            if (lines.tooLong()) {
                // BuildKit locates the scanner's error at its count of the lines read (withLocation(err,
                // currentLine, 0)): the line before the long one (buildx 0.13.1 marks line 1 for a too-long line 2),
                // or the long line itself when its cut first 64 KiB were read as a line.
                throw new DockerfileException(file, SourceRange.at(Position.ofLine(currentLine)),
                        "dockerfile line greater than max allowed size of " + (PhysicalLines.MAX_TOKEN_SIZE - 1));
            }
            return new ParseResult(new Directives(escape, directives), children, warnings,
                    SourceRange.ofLines(rootStart, rootEnd));
        }

        /** possibleParserDirective: feeds the line to the directive parser; true when it was a directive. */
        private boolean directive(int from, int to) throws DockerfileException {
            if (directiveParser.done()) {
                directiveParser.parseLine("");
                return false;
            }
            Optional<Directive> found;
            try {
                found = directiveParser.parseLine(src.substring(from, to));
            } catch (DockerfileException ex) {
                throw new DockerfileException(file, directiveErrorRange(), ex.reason());
            }
            if (found.isEmpty()) {
                return false;
            }
            Directive d = found.get();
            if (d.name().equals("escape")) {
                if (!d.value().equals("`") && !d.value().equals("\\")) {
                    throw new DockerfileException(file, directiveErrorRange(),
                            "invalid escape token '" + d.value() + "' does not match ` or \\");
                }
                escape = d.value().charAt(0);
            }
            directives.put(d.name(), d.value());
            return true;
        }

        /**
         * The text of a comment line as BuildKit takes it: {@code strings.TrimSpace(string(bytesRead[1:]))}. The
         * first BYTE of the untrimmed line is dropped; when that is the lead byte of a multi-byte character, its
         * remaining bytes are invalid UTF-8, represented here as one U+FFFD each (what a UTF-8 decoder sees).
         */
        private String comment(int from, int rawEnd) {
            int cp = src.codePointAt(from);
            int next = from + Character.charCount(cp);
            int orphans = cp < 0x80 ? 0 : cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
            int a = orphans > 0 ? next : GoStrings.skipSpace(src, next, rawEnd);
            int b = GoStrings.trimEnd(src, a, rawEnd);
            return "\uFFFD".repeat(orphans) + src.substring(a, b);
        }

        /** isComment: the first non-space char is '#'. */
        private boolean isComment(int from, int to) {
            int i = GoStrings.skipSpace(src, from, to);
            return i < to && src.charAt(i) == '#';
        }

        /**
         * trimContinuationCharacter: {@code ([^E])E[ \t]*$|^E[ \t]*$}. Returns the end of the kept text when the
         * line continues (the char before E is kept), -1 otherwise.
         */
        private int continuation(int from, int to) {
            int k = to;
            while (k > from && (src.charAt(k - 1) == ' ' || src.charAt(k - 1) == '\t')) {
                k--;
            }
            if (k > from && src.charAt(k - 1) == escape) {
                if (k - 1 == from) {
                    return from;
                }
                if (src.charAt(k - 2) != escape) {
                    return k - 1;
                }
            }
            return -1;
        }

        /** Reads the heredoc bodies that follow the instruction, if it can carry heredocs. */
        private List<Heredoc> heredocs(List<InstructionLines.Level> levels, String text, int startLine)
                throws DockerfileException {
            InstructionLines.Level target = levels.get(0);
            if (target.keyword().equals("onbuild") && levels.size() > 1) {
                target = levels.get(1);
            }
            boolean allowed = switch (target.keyword()) {
                case "add", "copy", "run" -> !target.json();
                default -> false;
            };
            if (!allowed || !text.contains("<<")) {
                return List.of();
            }
            List<Heredoc> found;
            try {
                found = Heredocs.fromLine(text);
            } catch (DockerfileException ex) {
                throw new DockerfileException(file, SourceRange.ofLines(startLine, currentLine), ex.reason());
            }
            List<Heredoc> result = new ArrayList<>(found.size());
            for (Heredoc doc : found) {
                StringBuilder content = new StringBuilder(doc.content());
                boolean terminated = false;
                while (lines.next()) {
                    src = lines.source();
                    currentLine++;
                    int s = lines.start();
                    int e = lines.end();
                    if (doc.chomp()) {
                        while (s < e && src.charAt(s) == '\t') {
                            s++;
                        }
                    }
                    if (e - s == doc.name().length() && src.startsWith(doc.name(), s)) {
                        terminated = true;
                        break;
                    }
                    content.append(src, lines.start(), lines.rawEnd());
                }
                if (!terminated) {
                    throw new DockerfileException(file, SourceRange.ofLines(startLine, Math.max(startLine, currentLine)),
                            "unterminated heredoc");
                }
                result.add(new Heredoc(doc.name(), content.toString(), doc.expand(), doc.chomp(),
                        doc.fileDescriptor()));
            }
            return result;
        }

        private static Node node(List<InstructionLines.Level> levels, List<Heredoc> heredocs, List<String> comments,
                                 SourceRange range) {
            Node inner = null;
            for (int i = levels.size() - 1; i >= 0; i--) {
                InstructionLines.Level level = levels.get(i);
                boolean top = i == 0;
                inner = new Node(level.keyword(), level.keywordWord(), level.flags(), level.arguments(),
                        Optional.ofNullable(inner), level.json(), top ? heredocs : List.of(), level.original(),
                        range, top ? comments : List.of());
            }
            return inner;
        }

        /**
         * Where BuildKit locates an error of a parser directive: {@code withLocation(err, currentLine, 0)} with its
         * count of the lines before the directive's, so one line above it, and none at all (buildx prints no source
         * lines) for a directive on the first line. Measured with buildx 0.13.1: {@code # escape=x} first prints
         * the reason alone, a repeated directive on line 2 marks line 1.
         */
        private SourceRange directiveErrorRange() {
            return currentLine == 0 ? null : lineRange(currentLine);
        }

        private static SourceRange lineRange(int line) {
            return SourceRange.ofLines(line, line);
        }
    }
}
