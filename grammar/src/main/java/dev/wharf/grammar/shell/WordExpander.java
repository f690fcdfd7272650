package dev.wharf.grammar.shell;

import static dev.wharf.grammar.shell.ShellChars.EOF;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One expansion of one word: the cursor over the word and the state BuildKit's {@code shellWord}
 * (frontend/dockerfile/shell/lex.go) keeps. Not thread-safe and used once; {@link ShellLexer} makes a new
 * one per call.
 *
 * <p>The structure follows {@code processStopOn}, {@code processDollar}, {@code processSingleQuote} and
 * {@code processDoubleQuote} closely on purpose, since the error texts (and which of two errors wins)
 * depend on where the cursor is when something fails.
 */
final class WordExpander {

    /**
     * Deepest nesting of {@code ${...${...}}} accepted. BuildKit has no limit (Go stacks grow); this keeps
     * the Java stack safe on small thread stacks. Real Dockerfiles nest a few levels at most.
     */
    static final int MAX_NESTING = 64;

    private static final String UNSET_MESSAGE = "is not allowed to be unset";
    private static final String EMPTY_MESSAGE = "is not allowed to be empty";

    private final ShellLexer lexer;
    private final String src;
    private final int length;
    private final EnvGetter env;
    private final boolean capture;
    private final boolean splitWords;

    private int pos;
    private int nesting;
    /** BuildKit's {@code shellWord.rawEscapes}: switched on inside patterns of {@code # % /}. */
    private boolean rawEscapes;

    private Set<String> matched;
    private Set<String> unmatched;

    /**
     * The word splitter's buffer. BuildKit shares one buffer between the outer word and every nested
     * {@code ${...}} word and resets it when a nested word starts, so text of the current (unfinished) word
     * before a {@code ${V<modifier>...}} is lost from {@code ProcessWords}' result. Kept that way.
     */
    private final StringBuilder wordBuffer;
    private final List<String> words;
    private boolean inWord;

    WordExpander(ShellLexer lexer, String src, EnvGetter env, boolean capture, boolean splitWords) {
        this.lexer = lexer;
        this.src = src;
        this.length = src.length();
        this.env = env;
        this.capture = capture;
        this.splitWords = splitWords;
        this.rawEscapes = lexer.rawEscapes();
        this.wordBuffer = splitWords ? new StringBuilder() : null;
        this.words = splitWords ? new ArrayList<>() : null;
        // Go's text/scanner skips a byte order mark at the start of its input.
        this.pos = length > 0 && src.charAt(0) == '\uFEFF' ? 1 : 0;
    }

    /** Expands the whole word; the result of ProcessWord. */
    String expand() throws ExpansionFailure {
        return processStopOn(EOF, rawEscapes);
    }

    /** The split words, after {@link #expand()}. */
    List<String> words() {
        if (wordBuffer.length() > 0) {
            words.add(wordBuffer.toString());
            wordBuffer.setLength(0);
            inWord = false;
        }
        return List.copyOf(words);
    }

    Set<String> matched() {
        return matched == null ? Set.of() : matched;
    }

    Set<String> unmatched() {
        return unmatched == null ? Set.of() : unmatched;
    }

    // ---- cursor (Go's scanner.Peek / scanner.Next over code points) ----

    private int peek() {
        return pos < length ? src.codePointAt(pos) : EOF;
    }

    private int next() {
        if (pos >= length) {
            return EOF;
        }
        int cp = src.codePointAt(pos);
        pos += Character.charCount(cp);
        return cp;
    }

    // ---- BuildKit's processStopOn ----

    /**
     * Processes up to (and consuming) {@code stopChar}, or to the end with {@link ShellChars#EOF}. Only the
     * outermost call (stopChar EOF) feeds the word splitter; nested calls just reset its buffer, which is
     * all their effect on it amounts to in BuildKit.
     */
    private String processStopOn(int stopChar, boolean raw) throws ExpansionFailure {
        boolean top = stopChar == EOF;
        boolean split = top && splitWords;
        if (splitWords) {
            wordBuffer.setLength(0);
        }
        if (!top && ++nesting > MAX_NESTING) {
            throw new ExpansionFailure("syntax error: substitutions nested more than " + MAX_NESTING + " levels deep");
        }
        boolean savedRaw = rawEscapes;
        rawEscapes = raw;
        try {
            StringBuilder result = new StringBuilder();
            int escape = lexer.escapeChar();
            boolean quotes = !lexer.skipProcessQuotes();
            while (pos < length) {
                int ch = peek();
                if (!top && ch == stopChar) {
                    next();
                    return result.toString();
                }
                if (ch == '$') {
                    String tmp = processDollar();
                    result.append(tmp);
                    if (split) {
                        addString(tmp);
                    }
                    continue;
                }
                if (ch == '<' || (quotes && (ch == '\'' || ch == '"'))) {
                    String tmp = ch == '<' ? processPossibleHeredoc()
                            : ch == '\'' ? processSingleQuote() : processDoubleQuote();
                    result.append(tmp);
                    if (split) {
                        addRawString(tmp);
                    }
                    continue;
                }
                ch = next();
                if (ch == escape) {
                    if (rawEscapes) {
                        if (split) {
                            addRawChar(ch);
                        }
                        result.appendCodePoint(ch);
                    }
                    // The escape char escapes the next character; at the very end it just disappears.
                    ch = next();
                    if (ch == EOF) {
                        break;
                    }
                    if (split) {
                        addRawChar(ch);
                    }
                } else if (split) {
                    addChar(ch);
                }
                result.appendCodePoint(ch);
            }
            if (!top) {
                throw new ExpansionFailure("unexpected end of statement while looking for matching "
                        + ShellChars.runeString(stopChar));
            }
            return result.toString();
        } finally {
            rawEscapes = savedRaw;
            if (!top) {
                nesting--;
            }
        }
    }

    private String processSingleQuote() throws ExpansionFailure {
        // Everything up to the next single quote is literal; a single quote cannot be escaped.
        next();
        int close = src.indexOf('\'', pos);
        if (close < 0) {
            pos = length;
            throw new ExpansionFailure("unexpected end of statement while looking for matching single-quote");
        }
        String content = src.substring(pos, close);
        pos = close + 1;
        return lexer.rawQuotes() ? "'" + content + "'" : content;
    }

    private String processDoubleQuote() throws ExpansionFailure {
        // Literal except $ expansions; the escape char escapes only " $ and itself, otherwise it stays.
        StringBuilder result = new StringBuilder();
        next();
        boolean rawQuotes = lexer.rawQuotes();
        int escape = lexer.escapeChar();
        if (rawQuotes) {
            result.append('"');
        }
        while (true) {
            int peeked = peek();
            if (peeked == EOF) {
                throw new ExpansionFailure("unexpected end of statement while looking for matching double-quote");
            }
            if (peeked == '"') {
                next();
                if (rawQuotes) {
                    result.append('"');
                }
                return result.toString();
            }
            if (peeked == '$') {
                result.append(processDollar());
                continue;
            }
            int ch = next();
            if (ch == escape) {
                if (rawEscapes) {
                    result.appendCodePoint(ch);
                }
                int after = peek();
                if (after == EOF) {
                    continue; // BuildKit ignores it here, then fails on the missing quote
                }
                if (after == '"' || after == '$' || after == escape) {
                    ch = next();
                }
            }
            result.appendCodePoint(ch);
        }
    }

    private String processPossibleHeredoc() {
        // "<<" and the blanks after it are kept together so that word splitting keeps "<< EOF" whole.
        next();
        if (peek() != '<') {
            return "<";
        }
        next();
        int start = pos;
        while (pos < length) {
            char c = src.charAt(pos);
            if (c != '\t' && c != '\r' && c != ' ') {
                break;
            }
            pos++;
        }
        return start == pos ? "<<" : "<<" + src.substring(start, pos);
    }

    // ---- BuildKit's processDollar ----

    private String processDollar() throws ExpansionFailure {
        next(); // '$'
        if (peek() != '{') {
            String name = processName();
            if (name.isEmpty()) {
                return "$";
            }
            String value = getEnv(name);
            if (value == null) {
                return lexer.skipUnsetEnv() ? "$" + name : "";
            }
            return value;
        }
        next(); // '{'
        int first = peek();
        if (first == EOF) {
            throw new ExpansionFailure("syntax error: missing '}'");
        }
        if (first == '{' || first == '}' || first == ':') {
            throw new ExpansionFailure("syntax error: bad substitution");
        }
        String name = processName();
        int ch = next();
        switch (ch) {
            case '}': {
                String value = getEnv(name);
                if (value == null) {
                    return lexer.skipUnsetEnv() ? "${" + name + "}" : "";
                }
                return value;
            }
            case ':': {
                // Go falls through into the modifier branch whatever character follows the colon.
                return processModifier(name, next(), true);
            }
            case '+':
            case '-':
            case '?':
            case '#':
            case '%':
                return processModifier(name, ch, false);
            case '/':
                return processSubstitution(name);
            default:
                throw unsupportedModifier(ShellChars.runeString(ch));
        }
    }

    private String processModifier(String name, int ch, boolean nullIsUnset) throws ExpansionFailure {
        boolean patternEscapes = ch == '#' || ch == '%';
        if (nullIsUnset && patternEscapes) {
            throw unsupportedModifier(modifierText(ch, nullIsUnset));
        }
        String word;
        try {
            word = processStopOn('}', patternEscapes);
        } catch (ExpansionFailure e) {
            if (peek() == EOF) {
                throw new ExpansionFailure("syntax error: missing '}'");
            }
            throw e;
        }
        String value = getEnv(name);
        boolean set = value != null;
        if (!set) {
            if (lexer.skipUnsetEnv()) {
                return "${" + name + modifierText(ch, nullIsUnset) + word + "}";
            }
            value = "";
        }
        switch (ch) {
            case '-':
                return !set || (nullIsUnset && value.isEmpty()) ? word : value;
            case '+':
                return !set || (nullIsUnset && value.isEmpty()) ? "" : word;
            case '?':
                if (!set) {
                    throw new ExpansionFailure(name + ": " + (word.isEmpty() ? UNSET_MESSAGE : word));
                }
                if (nullIsUnset && value.isEmpty()) {
                    throw new ExpansionFailure(name + ": " + (word.isEmpty() ? EMPTY_MESSAGE : word));
                }
                return value;
            case '%':
            case '#': {
                // One # or % removes the shortest match, two the longest.
                boolean greedy = !word.isEmpty() && word.charAt(0) == ch;
                String pattern = greedy ? word.substring(1) : word;
                return ch == '%' ? trimSuffix(pattern, value, greedy) : trimPrefix(pattern, value, greedy);
            }
            default:
                throw unsupportedModifier(modifierText(ch, nullIsUnset));
        }
    }

    /** The modifier as written ({@code :-}, {@code #}, ...), Go's {@code chs}; built only when needed. */
    private static String modifierText(int ch, boolean afterColon) {
        return afterColon ? ":" + ShellChars.runeString(ch) : ShellChars.runeString(ch);
    }

    private String processSubstitution(String name) throws ExpansionFailure {
        boolean replaceAll = peek() == '/';
        if (replaceAll) {
            next();
        }
        String pattern;
        try {
            pattern = processStopOn('/', true);
        } catch (ExpansionFailure e) {
            if (peek() == EOF) {
                throw new ExpansionFailure("syntax error: missing '/' in ${}");
            }
            throw e;
        }
        String replacement;
        try {
            replacement = processStopOn('}', true);
        } catch (ExpansionFailure e) {
            if (peek() == EOF) {
                throw new ExpansionFailure("syntax error: missing '}'");
            }
            throw e;
        }
        String value = getEnv(name);
        if (value == null) {
            if (lexer.skipUnsetEnv()) {
                // BuildKit writes a single slash back, even for ${V//p/r}.
                return "${" + name + "/" + pattern + "/" + replacement + "}";
            }
            value = "";
        }
        GlobPattern glob = compile(pattern, pattern.codePoints().toArray(), true);
        int[] valueCps = value.codePoints().toArray();
        return replaceAll ? glob.replaceAll(valueCps, replacement) : glob.replaceFirst(value, valueCps, replacement);
    }

    private static String trimPrefix(String pattern, String value, boolean greedy) throws ExpansionFailure {
        GlobPattern glob = compile(pattern, pattern.codePoints().toArray(), greedy);
        int end = glob.matchPrefix(value.codePoints().toArray());
        return end <= 0 ? value : value.substring(value.offsetByCodePoints(0, end));
    }

    /**
     * BuildKit reverses pattern and value and trims a prefix, because a regex cannot find the shortest
     * rightmost match; the reversed pattern is also what its error message shows.
     */
    private static String trimSuffix(String pattern, String value, boolean greedy) throws ExpansionFailure {
        int[] reversedPattern = GlobPattern.reverse(pattern.codePoints().toArray());
        String shown = new String(reversedPattern, 0, reversedPattern.length);
        GlobPattern glob = compile(shown, reversedPattern, greedy);
        int[] cps = value.codePoints().toArray();
        int[] reversed = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            reversed[cps.length - 1 - i] = cps[i];
        }
        int end = glob.matchPrefix(reversed);
        if (end <= 0) {
            return value;
        }
        return value.substring(0, value.offsetByCodePoints(0, cps.length - end));
    }

    private static GlobPattern compile(String shown, int[] pattern, boolean greedy) throws ExpansionFailure {
        try {
            return GlobPattern.compile(pattern, greedy);
        } catch (ExpansionFailure e) {
            throw new ExpansionFailure("invalid pattern (" + shown + ") in substitution: " + e.reason());
        }
    }

    private static ExpansionFailure unsupportedModifier(String chs) {
        return new ExpansionFailure("unsupported modifier (" + chs + ") in substitution");
    }

    /**
     * A name: a run of letters, digits and underscores, or a run of digits (positional parameter), or one
     * special parameter character. Names are contiguous in the word, so this is a substring.
     */
    private String processName() {
        int start = pos;
        while (pos < length) {
            int ch = peek();
            if (pos == start) {
                if (Character.isDigit(ch)) {
                    while (pos < length && Character.isDigit(peek())) {
                        next();
                    }
                    return src.substring(start, pos);
                }
                if (isSpecialParam(ch)) {
                    next();
                    return src.substring(start, pos);
                }
            }
            if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') {
                break;
            }
            next();
        }
        return start == pos ? "" : src.substring(start, pos);
    }

    /** POSIX special parameters ({@code 0} is caught by the digit rule first). */
    private static boolean isSpecialParam(int ch) {
        switch (ch) {
            case '@', '*', '#', '?', '-', '$', '!', '0':
                return true;
            default:
                return false;
        }
    }

    private String getEnv(String name) {
        String value = env.get(name);
        if (capture) {
            if (value != null) {
                if (matched == null) {
                    matched = new LinkedHashSet<>();
                }
                matched.add(name);
            } else {
                if (unmatched == null) {
                    unmatched = new LinkedHashSet<>();
                }
                unmatched.add(name);
            }
        }
        return value;
    }

    // ---- BuildKit's wordsStruct ----

    private void addChar(int ch) {
        if (ShellChars.isSpace(ch)) {
            if (inWord && wordBuffer.length() != 0) {
                words.add(wordBuffer.toString());
                wordBuffer.setLength(0);
                inWord = false;
            }
        } else {
            addRawChar(ch);
        }
    }

    private void addRawChar(int ch) {
        wordBuffer.appendCodePoint(ch);
        inWord = true;
    }

    private void addString(String str) {
        for (int i = 0; i < str.length(); ) {
            int ch = str.codePointAt(i);
            addChar(ch);
            i += Character.charCount(ch);
        }
    }

    private void addRawString(String str) {
        wordBuffer.append(str);
        inWord = true;
    }
}
