package dev.wharf.grammar.parser;

import dev.wharf.grammar.go.GoStrings;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of BuildKit's shell lexer ({@code shell.Lex.ProcessWords}, lex.go) that heredoc detection uses: escape
 * {@code \}, no variables set, unset variables kept as written ({@code SkipUnsetEnv}), optionally raw quotes and
 * raw escapes. Full word expansion lives in {@code dev.wharf.grammar.shell}; this copy only finds heredoc words.
 *
 * <p>Not thread-safe (one instance per call). Quirk kept on purpose: like BuildKit, a nested {@code ${...}}
 * clears the shared word buffer, dropping the part of the word before it.
 */
final class HeredocShellLexer {

    private static final int EOF = -1;
    private static final int ESCAPE = '\\';
    /** Nesting of ${...} beyond this is reported as an error instead of risking the Java stack. */
    private static final int MAX_NESTING = 200;

    /** A lexing error; the message is BuildKit's innermost error text. */
    static final class ShellException extends Exception {
        private static final long serialVersionUID = 1L;

        ShellException(String message) {
            super(message, null, false, false);
        }
    }

    private final String src;
    private final boolean rawQuotes;
    private boolean rawEscapes;
    private int pos;
    private int nesting;
    private final StringBuilder wordsBuffer = new StringBuilder();

    private HeredocShellLexer(String src, boolean rawQuotes, boolean rawEscapes) {
        this.src = src;
        this.rawQuotes = rawQuotes;
        this.rawEscapes = rawEscapes;
        // text/scanner discards a BOM that is the very first character
        this.pos = src.startsWith("\uFEFF") ? 1 : 0;
    }

    /** ProcessWords with an empty environment. */
    static List<String> processWords(String src, boolean rawQuotes, boolean rawEscapes) throws ShellException {
        HeredocShellLexer lexer = new HeredocShellLexer(src, rawQuotes, rawEscapes);
        return lexer.processStopOn(EOF, rawEscapes).words;
    }

    private record Result(String text, List<String> words) {
    }

    private int peek() {
        return pos < src.length() ? src.codePointAt(pos) : EOF;
    }

    private int next() {
        if (pos >= src.length()) {
            return EOF;
        }
        int cp = src.codePointAt(pos);
        pos += Character.charCount(cp);
        return cp;
    }

    private static String runeString(int cp) {
        return cp < 0 ? "\uFFFD" : new String(Character.toChars(cp));
    }

    private final class Words {
        final List<String> words = new ArrayList<>();
        boolean inWord;

        void addChar(int ch) {
            boolean space = GoStrings.isSpace(ch);
            if (space && inWord) {
                if (wordsBuffer.length() != 0) {
                    words.add(wordsBuffer.toString());
                    wordsBuffer.setLength(0);
                    inWord = false;
                }
            } else if (!space) {
                addRawChar(ch);
            }
        }

        void addRawChar(int ch) {
            wordsBuffer.appendCodePoint(ch);
            inWord = true;
        }

        void addString(String s) {
            s.codePoints().forEach(this::addChar);
        }

        void addRawString(String s) {
            wordsBuffer.append(s);
            inWord = true;
        }

        List<String> getWords() {
            if (wordsBuffer.length() > 0) {
                words.add(wordsBuffer.toString());
                wordsBuffer.setLength(0);
                inWord = false;
            }
            return words;
        }
    }

    private Result processStopOn(int stopChar, boolean raw) throws ShellException {
        if (++nesting > MAX_NESTING) {
            throw new ShellException("substitutions nested too deeply");
        }
        boolean saved = rawEscapes;
        rawEscapes = raw;
        try {
            StringBuilder result = new StringBuilder();
            wordsBuffer.setLength(0);
            Words words = new Words();
            while (peek() != EOF) {
                int ch = peek();
                if (stopChar != EOF && ch == stopChar) {
                    next();
                    return new Result(result.toString(), words.getWords());
                }
                if (ch == '$' || ch == '<' || ch == '\'' || ch == '"') {
                    String tmp = switch (ch) {
                        case '$' -> processDollar();
                        case '<' -> processPossibleHeredoc();
                        case '\'' -> processSingleQuote();
                        default -> processDoubleQuote();
                    };
                    result.append(tmp);
                    if (ch == '$') {
                        words.addString(tmp);
                    } else {
                        words.addRawString(tmp);
                    }
                    continue;
                }
                ch = next();
                if (ch == ESCAPE) {
                    if (rawEscapes) {
                        words.addRawChar(ch);
                        result.appendCodePoint(ch);
                    }
                    ch = next();
                    if (ch == EOF) {
                        break;
                    }
                    words.addRawChar(ch);
                } else {
                    words.addChar(ch);
                }
                result.appendCodePoint(ch);
            }
            if (stopChar != EOF) {
                throw new ShellException("unexpected end of statement while looking for matching "
                        + runeString(stopChar));
            }
            return new Result(result.toString(), words.getWords());
        } finally {
            rawEscapes = saved;
            nesting--;
        }
    }

    private String processSingleQuote() throws ShellException {
        StringBuilder result = new StringBuilder();
        int ch = next();
        if (rawQuotes) {
            result.appendCodePoint(ch);
        }
        while (true) {
            ch = next();
            if (ch == EOF) {
                throw new ShellException("unexpected end of statement while looking for matching single-quote");
            }
            if (ch == '\'') {
                if (rawQuotes) {
                    result.appendCodePoint(ch);
                }
                return result.toString();
            }
            result.appendCodePoint(ch);
        }
    }

    private String processDoubleQuote() throws ShellException {
        StringBuilder result = new StringBuilder();
        int ch = next();
        if (rawQuotes) {
            result.appendCodePoint(ch);
        }
        while (true) {
            int p = peek();
            if (p == EOF) {
                throw new ShellException("unexpected end of statement while looking for matching double-quote");
            }
            if (p == '"') {
                ch = next();
                if (rawQuotes) {
                    result.appendCodePoint(ch);
                }
                return result.toString();
            }
            if (p == '$') {
                result.append(processDollar());
                continue;
            }
            ch = next();
            if (ch == ESCAPE) {
                if (rawEscapes) {
                    result.appendCodePoint(ch);
                }
                int q = peek();
                if (q == EOF) {
                    continue; // ignore \ at end of word; the loop then reports the missing quote
                }
                if (q == '"' || q == '$' || q == ESCAPE) {
                    ch = next();
                }
            }
            result.appendCodePoint(ch);
        }
    }

    @SuppressWarnings("fallthrough") // lex.go falls through from ":" into the modifier cases
    private String processDollar() throws ShellException {
        next();
        if (peek() != '{') {
            String name = processName();
            return name.isEmpty() ? "$" : "$" + name; // unset and SkipUnsetEnv: kept as written
        }
        next();
        int p = peek();
        if (p == EOF) {
            throw new ShellException("syntax error: missing '}'");
        }
        if (p == '{' || p == '}' || p == ':') {
            throw new ShellException("syntax error: bad substitution");
        }
        String name = processName();
        int ch = next();
        String chs = runeString(ch);
        boolean nullIsUnset = false;
        switch (ch) {
            case '}':
                return "${" + name + "}";
            case ':':
                nullIsUnset = true;
                ch = next();
                chs += runeString(ch);
                // fall through, whatever the next character is (lex.go's fallthrough)
            case '+', '-', '?', '#', '%': {
                boolean raw = ch == '#' || ch == '%';
                if (nullIsUnset && raw) {
                    throw new ShellException("unsupported modifier (" + chs + ") in substitution");
                }
                String word;
                try {
                    word = processStopOn('}', raw).text;
                } catch (ShellException e) {
                    if (peek() == EOF) {
                        throw new ShellException("syntax error: missing '}'");
                    }
                    throw e;
                }
                return "${" + name + chs + word + "}";
            }
            case '/': {
                if (peek() == '/') {
                    next();
                }
                String pattern;
                try {
                    pattern = processStopOn('/', true).text;
                } catch (ShellException e) {
                    if (peek() == EOF) {
                        throw new ShellException("syntax error: missing '/' in ${}");
                    }
                    throw e;
                }
                String replacement;
                try {
                    replacement = processStopOn('}', true).text;
                } catch (ShellException e) {
                    if (peek() == EOF) {
                        throw new ShellException("syntax error: missing '}'");
                    }
                    throw e;
                }
                return "${" + name + "/" + pattern + "/" + replacement + "}";
            }
            default:
                throw new ShellException("unsupported modifier (" + chs + ") in substitution");
        }
    }

    private String processName() {
        StringBuilder name = new StringBuilder();
        while (peek() != EOF) {
            int ch = peek();
            if (name.length() == 0 && Character.isDigit(ch)) {
                while (peek() != EOF && Character.isDigit(peek())) {
                    name.appendCodePoint(next());
                }
                return name.toString();
            }
            if (name.length() == 0 && "@*#?-$!0".indexOf(ch) >= 0) {
                return runeString(next());
            }
            if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') {
                break;
            }
            name.appendCodePoint(next());
        }
        return name.toString();
    }

    private String processPossibleHeredoc() {
        next();
        if (peek() != '<') {
            return "<";
        }
        next();
        StringBuilder result = new StringBuilder("<<");
        while (peek() == '\t' || peek() == '\r' || peek() == ' ') {
            result.appendCodePoint(next());
        }
        return result.toString();
    }
}
