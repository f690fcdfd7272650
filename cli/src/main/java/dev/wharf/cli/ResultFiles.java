package dev.wharf.cli;

import dev.wharf.grammar.go.GoPathErrors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files {@code wharf build} leaves for scripts, {@code --iidfile} and {@code --metadata-file}, removed and
 * written as buildx does, with its error messages. Stateless.
 */
final class ResultFiles {
    private ResultFiles() {
    }

    /**
     * buildx's refusal of {@code --iidfile} beside an output that makes no image (commands/build.go toBuildOptions,
     * right after ParseExports read the {@code --output} values, before build/opt.go checks their destinations): a
     * {@code local} or {@code tar} output among them ({@code -o DIR} and {@code -o -} too), even next to an image
     * one, fails the command before anything is built or the old file removed; empty when there is none.
     */
    static java.util.Optional<String> iidFileConflict(Path iidFile, java.util.List<String> outputs) {
        if (iidFile == null) {
            return java.util.Optional.empty();
        }
        for (String output : outputs) {
            String type = OutputDestinations.type(output);
            if (type.equals("local") || type.equals("tar")) {
                return java.util.Optional.of("local and tar exporters are incompatible with image ID file");
            }
        }
        return java.util.Optional.empty();
    }

    /** Removes an earlier build's {@code --iidfile}; false, after saying why in buildx's words, when it cannot. */
    static boolean removeStale(Path file, PrintWriter err) {
        try {
            Files.deleteIfExists(file);
            return true;
        } catch (IOException e) {
            err.println("ERROR: removing image ID file: " + GoPathErrors.message("remove", file.toString(), e));
            err.flush();
            return false;
        }
    }

    /** Writes {@code --iidfile} or {@code --metadata-file}; false, after saying why, when it cannot be written. */
    static boolean write(Path file, String content, String what, PrintWriter err) {
        Path target = file.toAbsolutePath();
        try {
            dev.wharf.layers.layout.AtomicFiles.replaceShared(target, content.getBytes(StandardCharsets.UTF_8),
                    target.getParent());
            return true;
        } catch (IOException e) {
            err.println("ERROR: writing " + what + ": " + GoPathErrors.message("open", file.toString(), e));
            return false;
        }
    }
}
