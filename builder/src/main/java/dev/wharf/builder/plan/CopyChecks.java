package dev.wharf.builder.plan;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Optional;

/**
 * The checks BuildKit's {@code dispatchCopy} (dockerfile2llb/convert_copy.go) makes on expanded COPY and ADD
 * operands before anything is copied: {@code --chmod} is an octal or symbolic mode, COPY takes no URL, and ADD's
 * {@code --checksum} needs exactly one HTTP(S) or Git source. Errors are unlocated.
 *
 * <p>Stateless and thread-safe.
 */
final class CopyChecks {

    private CopyChecks() {
    }

    static void check(Instruction instruction) throws DockerfileException {
        // convert_copy.go parses --chmod first, while converting: a bad one fails before any step runs.
        Optional<Word> chmod = instruction instanceof AddInstruction add ? add.chmod()
                : instruction instanceof CopyInstruction copy ? copy.chmod() : Optional.empty();
        if (chmod.isPresent() && !chmod.get().text().isEmpty()) {
            try {
                Chmod.parse(chmod.get().text());
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }
        if (instruction instanceof AddInstruction add && add.checksum().isPresent()
                && !add.checksum().get().text().isEmpty()) {
            List<Word> sources = add.files().sourcePaths();
            if (sources.size() != 1) {
                throw error("checksum can't be specified for multiple sources");
            }
            String source = sources.get(0).text();
            if (!isHttp(source) && !looksLikeGit(source)) {
                throw error("checksum requires HTTP(S) or Git sources");
            }
        }
        if (instruction instanceof CopyInstruction copy) {
            for (Word source : copy.files().sourcePaths()) {
                if (isHttp(source.text())) {
                    throw error("source can't be a URL for COPY");
                }
            }
        }
    }

    /** BuildKit's {@code isHTTPSource}. */
    static boolean isHttp(String source) {
        return source.startsWith("http://") || source.startsWith("https://");
    }

    /** The common spellings of a Git source (a full {@code dfgitutil.ParseGitRef} belongs to the executor). */
    static boolean looksLikeGit(String source) {
        return source.startsWith("git://") || source.startsWith("git@") || source.startsWith("ssh://")
                || (isHttp(source) && (source.contains(".git#") || source.endsWith(".git")));
    }

    private static DockerfileException error(String reason) {
        return new DockerfileException(null, null, reason);
    }
}
