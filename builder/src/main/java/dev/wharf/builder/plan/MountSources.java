package dev.wharf.builder.plan;

import dev.wharf.grammar.parser.Word;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code from=} value of each {@code RUN --mount}, read before any variable is expanded: what BuildKit's
 * {@code detectRunMount} (dockerfile2llb/convert_runmount.go) uses to find the stages a RUN depends on. The grammar
 * has already checked the CSV syntax and that {@code from} holds no variable.
 *
 * <p>Stateless and thread-safe.
 */
final class MountSources {

    private MountSources() {
    }

    /** The raw {@code from} of {@code spec}; "" when absent. The last {@code from=} wins, as in parseMount. */
    static String from(Word spec) {
        String from = "";
        for (String field : fields(spec.text())) {
            int eq = field.indexOf('=');
            if (eq > 0 && field.substring(0, eq).toLowerCase(Locale.ROOT).equals("from")) {
                from = field.substring(eq + 1);
            }
        }
        return from;
    }

    /** go-csvvalue fields: comma-separated, a field starting with {@code "} is quoted ({@code ""} is a quote). */
    private static List<String> fields(String s) {
        List<String> out = new ArrayList<>();
        int pos = 0;
        while (pos <= s.length()) {
            if (pos < s.length() && s.charAt(pos) == '"') {
                StringBuilder field = new StringBuilder();
                pos++;
                while (pos < s.length()) {
                    char c = s.charAt(pos);
                    if (c == '"') {
                        if (pos + 1 < s.length() && s.charAt(pos + 1) == '"') {
                            field.append('"');
                            pos += 2;
                            continue;
                        }
                        pos++;
                        break;
                    }
                    field.append(c);
                    pos++;
                }
                out.add(field.toString());
                int comma = s.indexOf(',', pos);
                if (comma < 0) {
                    break;
                }
                pos = comma + 1;
            } else {
                int comma = s.indexOf(',', pos);
                out.add(comma < 0 ? s.substring(pos) : s.substring(pos, comma));
                if (comma < 0) {
                    break;
                }
                pos = comma + 1;
            }
        }
        return out;
    }
}
