package dev.wharf.builder.plan;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.InstructionReader;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.grammar.parser.Node;
import dev.wharf.grammar.parser.ParseResult;

/**
 * Turns an ONBUILD trigger expression (from a base image's config or a base stage's ONBUILD) into an
 * instruction, located at the FROM that runs it: BuildKit's {@code initOnBuildTriggers}
 * (dockerfile2llb/convert.go), which parses the text as a one-line Dockerfile.
 *
 * <p>Stateless and thread-safe.
 */
final class OnbuildTriggers {

    private OnbuildTriggers() {
    }

    /** The instruction {@code trigger} holds; errors are located at {@code from}. */
    static Instruction parse(String file, String trigger, SourceRange from) throws DockerfileException {
        try {
            ParseResult result = DockerfileParser.parse(file, trigger);
            if (result.children().size() != 1) {
                throw new DockerfileException(file, from, "onbuild trigger should be a single expression");
            }
            Node node = result.children().get(0);
            Node located = new Node(node.keyword(), node.keywordWord(), node.flags(), node.arguments(),
                    node.child(), node.json(), node.heredocs(), node.original(), from, node.comments());
            return InstructionReader.parse(file, located);
        } catch (DockerfileException e) {
            // BuildKit's SetLocation: the trigger's own line numbers mean nothing in this Dockerfile.
            throw new DockerfileException(file, from, e.reason(), e);
        }
    }
}
