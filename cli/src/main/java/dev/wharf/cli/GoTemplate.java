package dev.wharf.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The part of Go's {@code text/template} that {@code docker ... --format} users write, over JSON trees: text and
 * {@code {{ }}} actions (with {@code {{-}} / {@code -}}} trimming), fields ({@code .Config.Env}, {@code .},
 * {@code $}, {@code $var.Field}), pipes, {@code if/else/end}, {@code with}, {@code range} (also
 * {@code $k, $v :=}), and docker's functions {@code json}, {@code index}, {@code join}, {@code split}, {@code upper},
 * {@code lower}, {@code title}, {@code len}, {@code println}, {@code print}, {@code printf}, {@code truncate},
 * {@code pad}, plus {@code eq}, {@code ne}, {@code not}, {@code and}, {@code or}. Values print as Go's {@code %v}
 * prints the decoded types: lists {@code [a b]}, maps {@code map[k:v]} sorted by key, a missing field
 * {@code <no value>}, and a null or missing list, map or string field (by its docker name) {@code []},
 * {@code map[]} or nothing, as docker's typed image structs print their zero values.
 *
 * <p>Immutable and thread-safe once parsed.
 */
final class GoTemplate {
    private static final Set<String> LIST_FIELDS = Set.of("Env", "Cmd", "Entrypoint", "RepoTags", "RepoDigests",
            "Layers", "Shell", "OnBuild", "Test");
    private static final Set<String> MAP_FIELDS = Set.of("Labels", "ExposedPorts", "Volumes");
    /** String fields of docker's image types: absent from wharf's JSON when empty, Go prints them empty. */
    private static final Set<String> STRING_FIELDS = Set.of("User", "WorkingDir", "StopSignal", "Hostname",
            "Domainname", "Image", "Author", "Comment", "Created", "Parent", "Os", "Architecture", "Variant",
            "OsVersion", "DockerVersion");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Node> nodes;

    private GoTemplate(List<Node> nodes) {
        this.nodes = nodes;
    }

    /**
     * Parses {@code source}.
     *
     * @throws IllegalArgumentException naming the problem, as {@code template: ...} errors do
     */
    static GoTemplate parse(String source) {
        Parser parser = new Parser(lex(source));
        List<Node> nodes = parser.list(Set.of());
        if (parser.pos < parser.items.size()) {
            throw new IllegalArgumentException("template: unexpected {{" + parser.items.get(parser.pos).text + "}}");
        }
        return new GoTemplate(nodes);
    }

    /** The text the template makes of {@code data}. */
    String execute(JsonNode data) {
        StringBuilder out = new StringBuilder();
        Map<String, Value> vars = new HashMap<>();
        vars.put("$", new Value(data, null));
        for (Node n : nodes) {
            n.run(new Value(data, null), vars, out);
        }
        return out.toString();
    }

    // ---- lexing: text and actions ----

    private record Item(boolean action, String text) {
    }

    private static List<Item> lex(String s) {
        List<Item> items = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int open = s.indexOf("{{", i);
            if (open < 0) {
                items.add(new Item(false, s.substring(i)));
                break;
            }
            String text = s.substring(i, open);
            int close = s.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("template: unclosed action");
            }
            String body = s.substring(open + 2, close);
            if (body.startsWith("- ") || body.equals("-")) {
                text = text.stripTrailing();
                body = body.substring(1);
            }
            int next = close + 2;
            if (body.endsWith(" -")) {
                body = body.substring(0, body.length() - 2);
                while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                    next++;
                }
            }
            if (!text.isEmpty()) {
                items.add(new Item(false, text));
            }
            String trimmed = body.strip();
            if (!trimmed.startsWith("/*")) {
                items.add(new Item(true, trimmed));
            }
            i = next;
        }
        return items;
    }

    // ---- the tree ----

    private interface Node {
        void run(Value dot, Map<String, Value> vars, StringBuilder out);
    }

    private record Text(String text) implements Node {
        public void run(Value dot, Map<String, Value> vars, StringBuilder out) {
            out.append(text);
        }
    }

    private record Print(Pipeline pipeline) implements Node {
        public void run(Value dot, Map<String, Value> vars, StringBuilder out) {
            out.append(pipeline.eval(dot, vars).print());
        }
    }

    private record If(Pipeline condition, List<Node> then, List<Node> otherwise, boolean with) implements Node {
        public void run(Value dot, Map<String, Value> vars, StringBuilder out) {
            Value v = condition.eval(dot, vars);
            List<Node> branch = v.truthy() ? then : otherwise;
            Value inner = with && v.truthy() ? v : dot;
            for (Node n : branch) {
                n.run(inner, vars, out);
            }
        }
    }

    private record Range(String keyVar, String valueVar, Pipeline over, List<Node> body, List<Node> otherwise)
            implements Node {
        public void run(Value dot, Map<String, Value> vars, StringBuilder out) {
            JsonNode node = over.eval(dot, vars).node();
            List<Map.Entry<JsonNode, JsonNode>> entries = new ArrayList<>();
            if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    entries.add(Map.entry(JsonNodeFactory.instance.numberNode(i), node.get(i)));
                }
            } else if (node.isObject()) {
                sortedFields(node).forEach((k, v) -> entries.add(Map.entry(TextNode.valueOf(k), v)));
            }
            if (entries.isEmpty()) {
                for (Node n : otherwise) {
                    n.run(dot, vars, out);
                }
                return;
            }
            for (Map.Entry<JsonNode, JsonNode> e : entries) {
                Map<String, Value> scope = new HashMap<>(vars);
                if (keyVar != null) {
                    scope.put(keyVar, new Value(e.getKey(), null));
                }
                if (valueVar != null) {
                    scope.put(valueVar, new Value(e.getValue(), null));
                }
                for (Node n : body) {
                    n.run(new Value(e.getValue(), null), scope, out);
                }
            }
        }
    }

    /** An object's fields sorted by name, as Go's templates and {@code %v} visit a map's keys. */
    private static Map<String, JsonNode> sortedFields(JsonNode object) {
        Map<String, JsonNode> map = new TreeMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue()));
        return map;
    }

    // ---- parsing actions ----

    private static final class Parser {
        final List<Item> items;
        int pos;

        Parser(List<Item> items) {
            this.items = items;
        }

        /** Nodes up to (not including) an action whose first word is in {@code stops}. */
        List<Node> list(Set<String> stops) {
            List<Node> nodes = new ArrayList<>();
            while (pos < items.size()) {
                Item item = items.get(pos);
                if (!item.action()) {
                    nodes.add(new Text(item.text()));
                    pos++;
                    continue;
                }
                String word = item.text().split("\\s+", 2)[0];
                if (stops.contains(word)) {
                    return nodes;
                }
                pos++;
                switch (word) {
                    case "if", "with" -> nodes.add(conditional(item.text().substring(word.length()),
                            word.equals("with")));
                    case "range" -> nodes.add(range(item.text().substring(word.length())));
                    case "end", "else" -> throw new IllegalArgumentException("template: unexpected {{" + word + "}}");
                    default -> nodes.add(new Print(Pipeline.parse(item.text())));
                }
            }
            if (!stops.isEmpty()) {
                throw new IllegalArgumentException("template: unexpected EOF, missing {{end}}");
            }
            return nodes;
        }

        private Node conditional(String condition, boolean with) {
            List<Node> then = list(Set.of("else", "end"));
            return new If(Pipeline.parse(condition), then, elseBranch(true), with);
        }

        private Node range(String spec) {
            String keyVar = null;
            String valueVar = null;
            int decl = spec.indexOf(":=");
            if (decl >= 0) {
                String[] names = spec.substring(0, decl).split(",");
                if (names.length == 1) {
                    valueVar = names[0].strip();
                } else {
                    keyVar = names[0].strip();
                    valueVar = names[1].strip();
                }
                spec = spec.substring(decl + 2);
            }
            List<Node> body = list(Set.of("else", "end"));
            return new Range(keyVar, valueVar, Pipeline.parse(spec), body, elseBranch(false));
        }

        /** After a body: the nodes of its {@code {{else}}} (or {@code {{else if}}}) up to {@code {{end}}}. */
        private List<Node> elseBranch(boolean elseIf) {
            String stop = items.get(pos).text();
            pos++;
            if (stop.equals("else")) {
                List<Node> otherwise = list(Set.of("end"));
                pos++;
                return otherwise;
            }
            if (elseIf && stop.startsWith("else if ")) {
                return List.of(conditional(stop.substring("else if".length()), false));
            }
            return List.of();
        }
    }

    /** Commands joined by {@code |}; each command's result is the next one's last argument. */
    private record Pipeline(List<List<String>> commands) {
        static Pipeline parse(String text) {
            List<List<String>> commands = new ArrayList<>();
            List<String> current = new ArrayList<>();
            for (String token : tokens(text)) {
                if (token.equals("|")) {
                    commands.add(current);
                    current = new ArrayList<>();
                } else {
                    current.add(token);
                }
            }
            commands.add(current);
            if (commands.stream().anyMatch(List::isEmpty)) {
                throw new IllegalArgumentException("template: missing value in {{" + text.strip() + "}}");
            }
            return new Pipeline(commands);
        }

        Value eval(Value dot, Map<String, Value> vars) {
            Value previous = null;
            for (List<String> command : commands) {
                List<Value> args = new ArrayList<>();
                String function = null;
                for (int i = 0; i < command.size(); i++) {
                    String t = command.get(i);
                    if (i == 0 && Character.isLetter(t.charAt(0)) && !t.equals("true") && !t.equals("false")) {
                        function = t;
                    } else {
                        args.add(operand(t, dot, vars));
                    }
                }
                if (previous != null) {
                    args.add(previous);
                }
                previous = function == null ? single(args, command) : Functions.call(function, args);
            }
            return previous;
        }

        private static Value single(List<Value> args, List<String> command) {
            if (args.size() != 1) {
                throw new IllegalArgumentException("template: can't give argument to non-function "
                        + command.get(0));
            }
            return args.get(0);
        }

        private static Value operand(String t, Value dot, Map<String, Value> vars) {
            if (t.startsWith("(")) {
                return parse(t.substring(1, t.length() - 1)).eval(dot, vars);
            }
            if (t.startsWith("\"") || t.startsWith("`")) {
                return new Value(TextNode.valueOf(unquote(t)), null);
            }
            if (t.equals("true") || t.equals("false")) {
                return new Value(JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(t)), null);
            }
            if (Character.isDigit(t.charAt(0)) || t.startsWith("-")) {
                return new Value(JsonNodeFactory.instance.numberNode(Long.parseLong(t)), null);
            }
            Value base;
            String path;
            if (t.startsWith("$")) {
                int dotAt = t.indexOf('.');
                String name = dotAt < 0 ? t : t.substring(0, dotAt);
                base = vars.get(name);
                if (base == null) {
                    throw new IllegalArgumentException("template: undefined variable \"" + name + "\"");
                }
                path = dotAt < 0 ? "" : t.substring(dotAt);
            } else if (t.startsWith(".")) {
                base = dot;
                path = t;
            } else {
                throw new IllegalArgumentException("template: function \"" + t + "\" not defined");
            }
            Value v = base;
            for (String field : path.split("\\.")) {
                if (!field.isEmpty()) {
                    v = new Value(v.node().path(field), field);
                }
            }
            return v;
        }

        private static List<String> tokens(String s) {
            List<String> tokens = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '"' || c == '`') {
                    int j = i + 1;
                    while (j < s.length() && s.charAt(j) != c) {
                        j += c == '"' && s.charAt(j) == '\\' ? 2 : 1;
                    }
                    if (j >= s.length()) {
                        throw new IllegalArgumentException("template: unterminated quoted string");
                    }
                    tokens.add(s.substring(i, j + 1));
                    i = j + 1;
                } else if (c == '(') {
                    int depth = 0;
                    int j = i;
                    do {
                        depth += s.charAt(j) == '(' ? 1 : s.charAt(j) == ')' ? -1 : 0;
                        j++;
                    } while (depth > 0 && j < s.length());
                    if (depth != 0) {
                        throw new IllegalArgumentException("template: unclosed left paren");
                    }
                    tokens.add(s.substring(i, j));
                    i = j;
                } else if (c == '|') {
                    tokens.add("|");
                    i++;
                } else {
                    int j = i;
                    while (j < s.length() && !Character.isWhitespace(s.charAt(j)) && s.charAt(j) != '|'
                            && s.charAt(j) != ')') {
                        j++;
                    }
                    tokens.add(s.substring(i, j));
                    i = j;
                }
            }
            return tokens;
        }

        private static String unquote(String t) {
            String body = t.substring(1, t.length() - 1);
            if (t.startsWith("`")) {
                return body;
            }
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < body.length(); i++) {
                char c = body.charAt(i);
                if (c == '\\' && i + 1 < body.length()) {
                    char e = body.charAt(++i);
                    b.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        default -> e;
                    });
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }
    }

    /** A value with the field name it was read from (for how a null prints). */
    private record Value(JsonNode node, String field) {
        boolean truthy() {
            if (node.isMissingNode() || node.isNull()) {
                return false;
            }
            if (node.isBoolean()) {
                return node.booleanValue();
            }
            if (node.isNumber()) {
                return node.doubleValue() != 0;
            }
            if (node.isTextual()) {
                return !node.textValue().isEmpty();
            }
            return node.size() > 0;
        }

        String print() {
            if (node.isMissingNode() || node.isNull()) {
                // wharf's JSON leaves out (or nulls) what docker's typed structs hold as zero values.
                return LIST_FIELDS.contains(field) ? "[]" : MAP_FIELDS.contains(field) ? "map[]"
                        : STRING_FIELDS.contains(field) ? "" : node.isNull() ? "<nil>" : "<no value>";
            }
            return format(node);
        }

        private static String format(JsonNode n) {
            if (n.isTextual()) {
                return n.textValue();
            }
            if (n.isArray()) {
                List<String> parts = new ArrayList<>();
                n.forEach(e -> parts.add(format(e)));
                return "[" + String.join(" ", parts) + "]";
            }
            if (n.isObject()) {
                List<String> parts = new ArrayList<>();
                sortedFields(n).forEach((k, v) -> parts.add(k + ":" + format(v)));
                return "map[" + String.join(" ", parts) + "]";
            }
            if (n.isNull()) {
                return "<nil>";
            }
            return n.asText();
        }
    }

    /** docker's template functions (cli/templates) and Go's built-ins used with them. */
    private static final class Functions {
        static Value call(String name, List<Value> args) {
            return new Value(switch (name) {
                case "json" -> text(json(arg(args, 0, name).node()));
                case "index" -> {
                    JsonNode n = arg(args, 0, name).node();
                    for (Value key : args.subList(1, args.size())) {
                        n = key.node().isNumber() ? n.path(key.node().intValue()) : n.path(key.node().asText());
                    }
                    yield n.isMissingNode() && args.size() > 1 ? MissingNode.getInstance() : n;
                }
                case "join" -> {
                    List<String> parts = new ArrayList<>();
                    arg(args, 0, name).node().forEach(e -> parts.add(Value.format(e)));
                    yield text(String.join(arg(args, 1, name).node().asText(), parts));
                }
                case "split" -> {
                    ArrayNode array = JsonNodeFactory.instance.arrayNode();
                    for (String part : arg(args, 0, name).print().split(java.util.regex.Pattern.quote(
                            arg(args, 1, name).node().asText()), -1)) {
                        array.add(part);
                    }
                    yield array;
                }
                case "upper" -> text(arg(args, 0, name).print().toUpperCase(Locale.ROOT));
                case "lower" -> text(arg(args, 0, name).print().toLowerCase(Locale.ROOT));
                case "title" -> text(title(arg(args, 0, name).print()));
                case "len" -> {
                    JsonNode n = arg(args, 0, name).node();
                    yield JsonNodeFactory.instance.numberNode(n.isTextual() ? n.textValue().length() : n.size());
                }
                case "truncate" -> {
                    String s = arg(args, 0, name).print();
                    int max = arg(args, 1, name).node().asInt();
                    yield text(s.length() > max ? s.substring(0, max) : s);
                }
                case "pad" -> text(" ".repeat(arg(args, 1, name).node().asInt()) + arg(args, 0, name).print()
                        + " ".repeat(arg(args, 2, name).node().asInt()));
                case "print" -> text(String.join("", args.stream().map(Value::print).toList()));
                case "println" -> text(String.join(" ", args.stream().map(Value::print).toList()) + "\n");
                case "printf" -> text(printf(arg(args, 0, name).print(), args.subList(1, args.size())));
                case "eq" -> bool(Value.format(arg(args, 0, name).node()).equals(
                        Value.format(arg(args, 1, name).node())));
                case "ne" -> bool(!Value.format(arg(args, 0, name).node()).equals(
                        Value.format(arg(args, 1, name).node())));
                case "not" -> bool(!arg(args, 0, name).truthy());
                case "and" -> args.stream().filter(v -> !v.truthy()).findFirst().orElse(args.get(args.size() - 1))
                        .node();
                case "or" -> args.stream().filter(Value::truthy).findFirst().orElse(args.get(args.size() - 1))
                        .node();
                default -> throw new IllegalArgumentException("template: function \"" + name + "\" not defined");
            }, null);
        }

        private static Value arg(List<Value> args, int i, String function) {
            if (i >= args.size()) {
                throw new IllegalArgumentException("template: wrong number of args for " + function);
            }
            return args.get(i);
        }

        private static JsonNode text(String s) {
            return TextNode.valueOf(s);
        }

        private static JsonNode bool(boolean b) {
            return JsonNodeFactory.instance.booleanNode(b);
        }

        private static String json(JsonNode n) {
            try {
                return JSON.writeValueAsString(n.isMissingNode() ? JsonNodeFactory.instance.nullNode() : n);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a JSON tree", e);
            }
        }

        private static String title(String s) {
            StringBuilder b = new StringBuilder();
            boolean start = true;
            for (char c : s.toCharArray()) {
                b.append(start ? Character.toTitleCase(c) : c);
                start = !Character.isLetterOrDigit(c);
            }
            return b.toString();
        }

        /** {@code %s}, {@code %v}, {@code %d}, {@code %q} and {@code %%}. */
        private static String printf(String format, List<Value> args) {
            StringBuilder b = new StringBuilder();
            Iterator<Value> next = args.iterator();
            for (int i = 0; i < format.length(); i++) {
                char c = format.charAt(i);
                if (c != '%' || i + 1 >= format.length()) {
                    b.append(c);
                    continue;
                }
                char verb = format.charAt(++i);
                if (verb == '%') {
                    b.append('%');
                } else if (!next.hasNext()) {
                    b.append("%!").append(verb).append("(MISSING)");
                } else {
                    Value v = next.next();
                    b.append(verb == 'q' ? json(TextNode.valueOf(v.print())) : v.print());
                }
            }
            return b.toString();
        }
    }
}
