package dev.wharf.grammar.parser;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.go.GoStrings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the parser directives at the top of a Dockerfile, one line at a time: BuildKit's
 * {@code parser.DirectiveParser} (directives.go).
 *
 * <p>A line counts as a directive when it is the comment prefix ({@code #} by default) followed by
 * {@code name = value} with a known name ({@code syntax}, {@code escape}, {@code check}, case-insensitive).
 * The first line that is not one ends the block for good. Repeating a directive is an error.
 *
 * <p>Mutable and not thread-safe: it remembers the line count, the names seen and whether the block ended.
 */
public final class DirectiveParser {

    private static final Set<String> KNOWN = Set.of("syntax", "escape", "check");

    private final String comment;
    private final String file;
    private int line;
    private boolean done;
    private final Set<String> seen = new HashSet<>();

    /** A parser for {@code #} directives whose first line is line 1. */
    public DirectiveParser() {
        this("#", 0, "Dockerfile");
    }

    /**
     * A parser for directives written after {@code commentPrefix} ({@code #}, or {@code //} for syntax
     * detection), whose first line gets number {@code linesBefore + 1}.
     */
    public DirectiveParser(String commentPrefix, int linesBefore, String file) {
        this.comment = commentPrefix;
        this.line = linesBefore;
        this.file = file;
    }

    /** Whether the directive block has ended (a non-directive line was seen). */
    public boolean done() {
        return done;
    }

    /**
     * Reads the next line (without its line terminator); returns the directive on it, if it is one.
     *
     * @throws DockerfileException when the directive was already given ("only one X parser directive can be used")
     */
    public Optional<Directive> parseLine(String text) throws DockerfileException {
        line++;
        if (done) {
            return Optional.empty();
        }
        if (!text.startsWith(comment)) {
            done = true;
            return Optional.empty();
        }
        int from = GoStrings.skipSpace(text, comment.length(), text.length());
        String[] m = match(text, from);
        if (m == null) {
            done = true;
            return Optional.empty();
        }
        String name = m[0].toLowerCase(java.util.Locale.ROOT);
        if (!KNOWN.contains(name)) {
            done = true;
            return Optional.empty();
        }
        if (!seen.add(name)) {
            throw new DockerfileException(file, SourceRange.ofLines(line, line),
                    "only one " + name + " parser directive can be used");
        }
        return Optional.of(new Directive(name, m[1], line));
    }

    private static boolean goSpace(char c) {
        return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
    }

    /**
     * BuildKit's directiveRegexp {@code ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$} (Go: \s is [\t\n\f\r ], {@code .}
     * is anything but \n), matched by hand in linear time: a backtracking regex engine is quadratic on long
     * runs of spaces, Go's RE2 is not. Returns name and value, or null.
     */
    static String[] match(String text, int from) {
        int n = text.length();
        int i = from;
        if (i >= n || !isAsciiLetter(text.charAt(i))) {
            return null;
        }
        while (i < n && (isAsciiLetter(text.charAt(i)) || (text.charAt(i) >= '0' && text.charAt(i) <= '9'))) {
            i++;
        }
        String name = text.substring(from, i);
        while (i < n && goSpace(text.charAt(i))) {
            i++;
        }
        if (i >= n || text.charAt(i) != '=') {
            return null;
        }
        int afterEquals = i + 1;
        int q = afterEquals;
        while (q < n && goSpace(text.charAt(q))) {
            q++;
        }
        int trailing = n;
        while (trailing > q && goSpace(text.charAt(trailing - 1))) {
            trailing--;
        }
        if (q < n) {
            // the lazy value runs to the trailing white space; it cannot hold a \n
            String value = text.substring(q, trailing);
            return value.indexOf('\n') < 0 ? new String[] {name, value} : null;
        }
        // only white space after '=': the greedy \s* gives back its last char that '.' can match
        for (int p = n - 1; p >= afterEquals; p--) {
            if (text.charAt(p) != '\n') {
                return new String[] {name, text.substring(p, p + 1)};
            }
        }
        return null;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /**
     * Reads the directive block of {@code text} (BuildKit's ParseAll): lines split at {@code \n}, a trailing
     * {@code \r} dropped.
     */
    public List<Directive> parseAll(String text) throws DockerfileException {
        List<Directive> found = new ArrayList<>();
        scan(text, found);
        return found;
    }

    /** Like {@link #parseAll} but keeps what was found before an error, as BuildKit's callers do. */
    List<Directive> parseAllLenient(String text) {
        List<Directive> found = new ArrayList<>();
        try {
            scan(text, found);
        } catch (DockerfileException e) {
            // detectDirectiveFromParser ignores the error and uses the directives found so far
        }
        return found;
    }

    private void scan(String text, List<Directive> found) throws DockerfileException {
        int pos = 0;
        int n = text.length();
        while (pos < n && !done) {
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? n : nl;
            int contentEnd = end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end;
            parseLine(text.substring(pos, contentEnd)).ifPresent(found::add);
            pos = nl < 0 ? n : nl + 1;
        }
    }
}
