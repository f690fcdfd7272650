package dev.wharf.cli;

import dev.wharf.grammar.go.GoCsv;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The destinations of {@code wharf build}'s {@code -o} values, checked and routed as buildx does before it builds
 * (util/buildflags/export.go, build/opt.go toSolveOpt): {@code -o -} is {@code type=tar,dest=-}; a {@code tar}
 * output, and an {@code oci} one that is a tarball, without {@code dest} write to standard output; a {@code local}
 * output needs a directory, a tarball's destination may not be one; a {@code docker} output without {@code dest},
 * which buildx loads into the daemon's image store, tags the image into wharf's store. The engine writes an output
 * to standard output into a private temporary file, which {@link #copyTo} then streams there.
 *
 * <p>Not thread-safe: one per build command. {@link #close} deletes the temporary file.
 */
final class OutputDestinations implements AutoCloseable {
    private final BooleanSupplier stdoutIsTerminal;
    private Path directory;
    private Path file;

    /** @param stdoutIsTerminal whether standard output is a terminal (asked only when an output goes there) */
    OutputDestinations(BooleanSupplier stdoutIsTerminal) {
        this.stdoutIsTerminal = stdoutIsTerminal;
    }

    /**
     * The exporter type of an {@code --output} value as buildx's ParseExports reads it: {@code tar} for {@code -},
     * {@code local} for a bare path, else its {@code type=} field ({@code ""} when it has none or is no CSV line: the
     * output's own parse reports that).
     */
    static String type(String value) {
        if (value.equals("-")) {
            return "tar";
        }
        java.util.List<String> fields;
        try {
            fields = GoCsv.fields(value);
        } catch (IllegalArgumentException e) {
            return "";
        }
        if (barePath(value, fields)) {
            return "local";
        }
        for (String field : fields) {
            int eq = field.indexOf('=');
            if (eq > 0 && field.substring(0, eq).trim().equalsIgnoreCase("type")) {
                return field.substring(eq + 1).trim();
            }
        }
        return "";
    }

    /** A bare path is type=local,dest=PATH (export.go), even one with a '=' in it ("dest=out"). */
    private static boolean barePath(String value, java.util.List<String> fields) {
        return !value.startsWith("type=") && fields.size() == 1 && fields.get(0).equals(value);
    }

    /**
     * Returns {@code value} as the engine's output parser should read it: with {@code dest=} naming the temporary
     * file when the output goes to standard output, else as given.
     *
     * @throws IllegalArgumentException with buildx's words: a local output without a directory or to stdout, a
     *                                  second output to stdout, a tarball to a terminal
     * @throws IOException if the temporary file cannot be made
     */
    String prepare(String value) throws IOException {
        if (value.equals("-")) {
            return toStdout("tar", java.util.List.of("type=tar"));
        }
        java.util.List<String> fields = GoCsv.fields(value);
        if (barePath(value, fields)) {
            requireNoFile(value);
            return value;
        }
        String type = null;
        String dest = ""; // absent and empty mean the same: no destination
        boolean tar = true;
        // buildx parses each -o as one CSV line (util/buildflags/export.go, csvvalue.Fields): a quoted field keeps
        // its commas, so the fields are written back quoted for the engine's parser.
        java.util.List<String> rest = new java.util.ArrayList<>();
        for (String field : fields) {
            int eq = field.indexOf('=');
            String key = eq < 0 ? field.trim() : field.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String v = eq < 0 ? "" : field.substring(eq + 1).trim();
            switch (key) {
                case "type" -> type = v;
                case "dest" -> {
                    dest = v;
                    continue;
                }
                // exporter/oci: an empty or unreadable tar= means a tarball (strconv.ParseBool failing: true).
                case "tar" -> tar = !Set.of("false", "0", "f", "FALSE", "False", "F").contains(v);
                default -> {
                    // Other keys go to the engine's parser unchanged.
                }
            }
            rest.add(field);
        }
        if (type == null) {
            return value;
        }
        boolean directoryOutput = type.equals("local") || ((type.equals("oci") || type.equals("docker")) && !tar);
        boolean fileOutput = type.equals("tar") || ((type.equals("oci") || type.equals("docker")) && tar);
        if (directoryOutput) {
            if (dest.isEmpty()) {
                throw new IllegalArgumentException("dest is required for " + type + " exporter");
            }
            if (dest.equals("-")) {
                throw new IllegalArgumentException("dest cannot be stdout for " + type + " exporter");
            }
            requireNoFile(dest);
        }
        if (fileOutput && !dest.isEmpty() && !dest.equals("-") && Files.isDirectory(Path.of(dest))) {
            throw new IllegalArgumentException("destination file " + dest + " is a directory");
        }
        if (type.equals("docker") && dest.isEmpty()) {
            // buildx loads a docker output without dest into the daemon's image store (--load is short for it):
            // wharf's image store is its local store, which the image output tags into.
            return GoCsv.join(rest.stream().map(f -> f.matches("(?i)\\s*type\\s*=\\s*docker\\s*") ? "type=image" : f)
                    .toList());
        }
        if (fileOutput && (dest.equals("-") || (dest.isEmpty() && !type.equals("docker")))) {
            return toStdout(type, rest);
        }
        return value;
    }

    /** A directory output's destination: absent or a directory (buildx refuses a file there). */
    private static void requireNoFile(String dest) {
        Path path = Path.of(dest);
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new IllegalArgumentException("destination directory " + dest + " is a file");
        }
    }

    private String toStdout(String type, java.util.List<String> withoutDest) throws IOException {
        if (file != null) {
            throw new IllegalArgumentException("multiple outputs configured to write to stdout");
        }
        if (stdoutIsTerminal.getAsBoolean()) {
            throw new IllegalArgumentException("dest file is required for " + type
                    + " exporter. refusing to write to console");
        }
        directory = TemporaryFiles.directory("wharf-stdout-");
        file = directory.resolve("output.tar");
        java.util.List<String> fields = new java.util.ArrayList<>(withoutDest);
        fields.add("dest=" + file);
        return GoCsv.join(fields);
    }

    /** Whether an output goes to standard output: then nothing else may be printed there. */
    boolean used() {
        return file != null;
    }

    /** Streams the output the build wrote to {@code out} (nothing when no output goes to standard output). */
    void copyTo(OutputStream out) throws IOException {
        if (file != null && Files.isRegularFile(file)) {
            Files.copy(file, out);
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (directory != null) {
            dev.wharf.layers.layout.FileTrees.delete(directory);
        }
    }
}
