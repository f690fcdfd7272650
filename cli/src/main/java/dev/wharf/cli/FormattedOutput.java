package dev.wharf.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Prints rows through a {@code --format} template as the docker CLI does: each row's text on a line of its own; a
 * format starting with {@code table} prints a header row first (the template run over the column names) and lines
 * up the tab-separated cells like docker's tabwriter.
 *
 * <p>Stateless.
 */
final class FormattedOutput {
    private FormattedOutput() {
    }

    /** A row of string fields, for the template. */
    static ObjectNode row(Map<String, String> fields) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        fields.forEach(node::put);
        return node;
    }

    /**
     * Prints {@code rows} through {@code format}.
     *
     * @param headers the column name of each field, for a {@code table} format's header row
     * @throws IllegalArgumentException when the template is malformed
     */
    static void print(PrintWriter out, String format, Map<String, String> headers, List<ObjectNode> rows) {
        String source = format.replace("\\t", "\t").replace("\\n", "\n");
        boolean table = source.startsWith("table");
        if (table) {
            source = source.substring("table".length()).stripLeading();
        }
        GoTemplate template = GoTemplate.parse(source);
        if (!table) {
            for (ObjectNode row : rows) {
                out.println(template.execute(row));
            }
            return;
        }
        List<List<String>> cells = new ArrayList<>();
        cells.add(split(template.execute(row(headers))));
        for (ObjectNode row : rows) {
            cells.add(split(template.execute(row)));
        }
        int columns = cells.stream().mapToInt(List::size).max().orElse(1);
        for (List<String> line : cells) {
            while (line.size() < columns) {
                line.add("");
            }
        }
        GoTabwriter.printDockerTable(out, cells);
    }

    private static List<String> split(String line) {
        return new ArrayList<>(Arrays.asList(line.split("\t", -1)));
    }
}
