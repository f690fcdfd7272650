package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The flags of one instruction after validation: the value of every declared flag (its default when not
 * given), the flag words that set them, and the names used, in the order first used.
 *
 * <p>Immutable and thread-safe.
 *
 * @param values  single value per declared BOOL/STRING flag ({@code "true"}/{@code "false"} for bools)
 * @param lists   every value per declared STRINGS flag, in order (empty when not given)
 * @param words   for each used flag, the flag word that set it last (for error positions)
 * @param used    the names of the flags given, in order of first use
 */
public record ParsedFlags(Map<String, String> values, Map<String, List<Word>> lists, Map<String, Word> words,
                          List<String> used) {

    public ParsedFlags {
        values = Map.copyOf(values);
        lists = Map.copyOf(lists);
        words = Map.copyOf(words);
        used = List.copyOf(used);
    }

    /** The value of a BOOL or STRING flag (its default when not given). */
    public String value(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("flag not declared: " + name);
        }
        return value;
    }

    /** Whether a BOOL flag is true. */
    public boolean isTrue(String name) {
        return "true".equals(value(name));
    }

    /** Whether the flag was given at all (even when set to its default). */
    public boolean isUsed(String name) {
        return used.contains(name);
    }

    /** The value of a STRING flag as a word with the flag's position, when the flag was given. */
    public Optional<Word> word(String name) {
        Word flag = words.get(name);
        return flag == null ? Optional.empty() : Optional.of(new Word(value(name), flag.range()));
    }

    /** The values of a STRINGS flag, each with the position of its flag word. */
    public List<Word> list(String name) {
        List<Word> list = lists.get(name);
        if (list == null) {
            throw new IllegalArgumentException("flag not declared: " + name);
        }
        return list;
    }
}
