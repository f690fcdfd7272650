package dev.wharf.grammar.instructions;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.go.GoStrings;
import dev.wharf.grammar.parser.Word;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates the flag words of an instruction against the flags it declares: BuildKit's {@code BFlags.Parse}
 * ({@code frontend/dockerfile/instructions/bflag.go}), with its messages.
 *
 * <p>Stateless and thread-safe.
 */
public final class BuildFlags {

    private BuildFlags() {
    }

    /**
     * Parses {@code args} (flag words as the parser gave them, quotes removed) against {@code specs}.
     *
     * @throws DockerfileException with BuildKit's message, located at the offending flag word
     */
    public static ParsedFlags parse(List<FlagSpec> specs, List<Word> args) throws DockerfileException {
        Map<String, FlagSpec> declared = new LinkedHashMap<>();
        for (FlagSpec spec : specs) {
            if (declared.putIfAbsent(spec.name(), spec) != null) {
                // upstream reports this when parsing, wrapped: a programmer error in wharf
                throw new IllegalArgumentException("Duplicate flag defined: " + spec.name());
            }
        }
        Map<String, String> values = new HashMap<>();
        Map<String, List<Word>> lists = new HashMap<>();
        for (FlagSpec spec : specs) {
            if (spec.type() == FlagSpec.Type.STRINGS) {
                lists.put(spec.name(), new ArrayList<>());
            } else {
                values.put(spec.name(), spec.defaultValue());
            }
        }
        Map<String, Word> words = new HashMap<>();
        Set<String> used = new LinkedHashSet<>();
        for (Word word : args) {
            String a = word.text();
            SourceRange at = word.range();
            if (a.equals("--")) {
                // POSIX utility syntax: "--" ends the options (bflag.go)
                break;
            }
            if (!a.startsWith("--")) {
                throw Errors.error(at, "arg should start with -- : " + a);
            }
            int eq = a.indexOf('=');
            boolean hasValue = eq >= 0;
            String flagName = hasValue ? a.substring(0, eq) : a;
            String value = hasValue ? a.substring(eq + 1) : "";
            String name = flagName.substring(2);
            FlagSpec spec = declared.get(name);
            if (spec == null) {
                throw Errors.error(at, Suggest.withHint("unknown flag: " + flagName, name,
                        List.copyOf(declared.keySet()), true));
            }
            if (used.contains(name) && spec.type() != FlagSpec.Type.STRINGS) {
                throw Errors.error(at, "duplicate flag specified: " + flagName);
            }
            used.add(name);
            words.put(name, word);
            switch (spec.type()) {
                case BOOL -> {
                    if (hasValue && value.isEmpty()) {
                        throw Errors.error(at, "missing a value on flag: " + flagName);
                    }
                    String lower = GoStrings.toLower(value);
                    if (lower.equals("true") || lower.isEmpty()) {
                        values.put(name, "true");
                    } else if (lower.equals("false")) {
                        values.put(name, "false");
                    } else {
                        throw Errors.error(at, "expecting boolean value for flag " + flagName + ", not: " + value);
                    }
                }
                case STRING -> {
                    if (!hasValue) {
                        throw Errors.error(at, "missing a value on flag: " + flagName);
                    }
                    values.put(name, value);
                }
                case STRINGS -> {
                    if (!hasValue) {
                        throw Errors.error(at, "missing a value on flag: " + flagName);
                    }
                    lists.get(name).add(new Word(value, word.range()));
                }
            }
        }
        Map<String, List<Word>> frozen = new HashMap<>();
        lists.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new ParsedFlags(values, frozen, words, List.copyOf(used));
    }
}
