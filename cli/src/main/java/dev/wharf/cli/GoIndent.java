package dev.wharf.cli;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;

/**
 * Jackson's pretty printer set to lay JSON out as Go's {@code json.MarshalIndent(v, "", indent)}: {@code "key": value},
 * one member per line, empty objects and arrays as {@code {}} and {@code []}. Stateless.
 */
final class GoIndent {
    private GoIndent() {
    }

    /** A new printer indenting each level by {@code indent}. */
    static DefaultPrettyPrinter printer(String indent) {
        DefaultIndenter indenter = new DefaultIndenter(indent, "\n");
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        return new DefaultPrettyPrinter(separators).withObjectIndenter(indenter).withArrayIndenter(indenter);
    }
}
