package dev.wharf.builder.exec;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.grammar.parser.Node;
import dev.wharf.grammar.parser.ParseResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The typed Dockerfiles one engine has parsed, by file name and exact text, so that a rebuild of an unchanged
 * Dockerfile in a warm JVM does not lex and parse it again (a quarter of an embedded cached rebuild). The parse is
 * a pure function of name and text and its result is immutable, so the cached one is what a new parse would give;
 * failed parses are not kept.
 *
 * <p>Thread-safe. Holds the {@value #MAX} most recently used.
 */
final class ParsedDockerfiles {
    private static final int MAX = 16;

    private final Map<List<String>, Dockerfile> parsed = new LinkedHashMap<>(MAX, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<List<String>, Dockerfile> eldest) {
            return size() > MAX;
        }
    };

    /**
     * An instruction that does not read (an unknown one, a bad flag) as BuildKit words it: its instructions.Parse
     * wraps the error as {@code dockerfile parse error on line N: ...}, N the instruction's first line
     * (frontend/dockerfile/instructions/parse.go, parseError). Parse's own error, an instruction before any FROM,
     * is not wrapped.
     */
    private static DockerfileException located(ParseResult root, DockerfileException e) {
        if (e.reason().equals("no build stage in current context")) {
            return e;
        }
        int line = e.range().map(r -> r.start().line()).orElse(0);
        for (Node node : root.children()) {
            if (node.startLine() <= line && line <= node.endLine()) {
                line = node.startLine();
                break;
            }
        }
        if (line <= 0) {
            return e;
        }
        return new DockerfileException(e.file(), e.range().orElse(null),
                "dockerfile parse error on line " + line + ": " + e.reason(), e);
    }

    /** The Dockerfile {@code text} named {@code name}, parsed now or earlier. */
    Dockerfile parse(String name, String text) throws DockerfileException {
        return parse(name, text, Optional.empty());
    }

    /**
     * The same, also looked up in and added to {@code persistent} (the store's {@link ParseCache}), which a fresh
     * process has: after this engine's own cache, before the parser.
     */
    Dockerfile parse(String name, String text, Optional<ParseCache> persistent) throws DockerfileException {
        if (text.isEmpty()) {
            // BuildKit rejects an empty file before parsing (dockerfile2llb toDispatchState); a file of only
            // comments or blank lines gets the parser's "file with no instructions" instead.
            throw new DockerfileException(name, null, "the Dockerfile cannot be empty");
        }
        List<String> key = List.of(name, text);
        synchronized (parsed) {
            Dockerfile known = parsed.get(key);
            if (known != null) {
                return known;
            }
        }
        Optional<Dockerfile> stored = persistent.flatMap(cache -> cache.lookup(name, text));
        Dockerfile dockerfile;
        if (stored.isPresent()) {
            dockerfile = stored.get();
        } else {
            ParseResult root = DockerfileParser.parse(name, text);
            try {
                dockerfile = DockerfileReader.read(name, root);
            } catch (DockerfileException e) {
                throw located(root, e);
            }
            Dockerfile parsedNow = dockerfile;
            persistent.ifPresent(cache -> cache.store(name, text, parsedNow));
        }
        synchronized (parsed) {
            parsed.put(key, dockerfile);
        }
        return dockerfile;
    }
}
