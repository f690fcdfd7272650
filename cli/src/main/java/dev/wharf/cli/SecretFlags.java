package dev.wharf.cli;

import dev.wharf.layers.layout.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --secret} values of {@code wharf build}, parsed as buildx does ({@code util/buildflags/secrets.go}):
 * {@code id=ID,src=FILE}, {@code id=ID,env=VAR}, {@code type=env,id=ID[,src=VAR]} and a bare {@code id=ID}, which
 * reads the variable {@code ID} when it is set and else the file {@code ID}. A secret from a variable is written to
 * a private file (mode 0600 in a 0700 directory, on {@code /dev/shm} when there is one, so it stays in memory) that
 * {@link #close} deletes. Not thread-safe; one per build command.
 */
final class SecretFlags implements AutoCloseable {
    private final Map<String, String> environment;
    private final Map<String, Path> files = new LinkedHashMap<>();
    private Path privateDir;

    SecretFlags(Map<String, String> environment) {
        this.environment = environment;
    }

    /** BuildKit's limit of a secret's size (secretsprovider.MaxSecretSize, 500 KiB). */
    private static final long MAX_SECRET_SIZE = 500 * 1024;

    /** The secrets parsed so far: id to the file holding the value. */
    Map<String, Path> files() {
        return files;
    }

    /** One {@code --secret} value as buildx's parser reads it; fields it did not give are null. */
    record Spec(String id, String src, String env) {
    }

    /**
     * Reads one {@code --secret} value as buildx's {@code parseSecret} does, when it reads the command's flags
     * (before its progress mode is checked): only the value's form is checked here.
     *
     * @throws IllegalArgumentException in buildx's words
     */
    static Spec parse(String flag) {
        String id = null;
        String src = null;
        String env = null;
        String type = null;
        java.util.List<String> fields;
        try {
            // buildx util/buildflags/secrets.go: one CSV line (csvvalue.Fields), quoted fields keep their commas.
            fields = dev.wharf.grammar.go.GoCsv.fields(flag);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("failed to parse csv secret: " + e.getMessage(), e);
        }
        for (String field : fields) {
            int eq = field.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("invalid field '" + field + "' must be a key=value pair");
            }
            String key = field.substring(0, eq).toLowerCase(Locale.ROOT);
            String value = field.substring(eq + 1);
            switch (key) {
                case "id" -> id = value;
                case "src", "source" -> src = value;
                case "env" -> env = value;
                case "type" -> {
                    if (!value.equals("file") && !value.equals("env")) {
                        throw new IllegalArgumentException("unsupported secret type \"" + value + "\"");
                    }
                    type = value;
                }
                default -> throw new IllegalArgumentException("unexpected key '" + key + "' in '" + field + "'");
            }
        }
        if ("env".equals(type) && (env == null || env.isEmpty())) {
            env = src;
            src = null;
        }
        return new Spec(id, emptyAsNull(src), emptyAsNull(env));
    }

    private static String emptyAsNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /**
     * What BuildKit's secret store ({@code secretsprovider.NewStore}, which buildx builds as the build starts)
     * refuses in {@code spec}: no id (buildx 0.13 takes none from {@code src=}: {@code --secret src=./token} is
     * {@code secret missing ID}), a file that is not there or is too big; empty when the store takes it.
     */
    java.util.Optional<String> problem(Spec spec) throws IOException {
        if (spec.id() == null || spec.id().isEmpty()) {
            return java.util.Optional.of("secret missing ID");
        }
        Spec resolved = resolve(spec);
        if (resolved.src() == null) {
            return java.util.Optional.empty();
        }
        Path file = Path.of(resolved.src()).toAbsolutePath();
        if (!Files.exists(file)) {
            return java.util.Optional.of("failed to stat " + resolved.src() + ": stat " + resolved.src()
                    + ": no such file or directory");
        }
        if (Files.isRegularFile(file) && Files.size(file) > MAX_SECRET_SIZE) {
            return java.util.Optional.of("secret " + spec.id() + " too big. max size 500KB");
        }
        return java.util.Optional.empty();
    }

    /** With neither src nor env, BuildKit's store reads the variable named like the id when set, else that file. */
    private Spec resolve(Spec spec) {
        if (spec.src() != null || spec.env() != null) {
            return spec;
        }
        return environment.containsKey(spec.id()) ? new Spec(spec.id(), null, spec.id())
                : new Spec(spec.id(), spec.id(), null);
    }

    /**
     * Parses one {@code --secret} value and keeps the file holding its value.
     *
     * @throws IllegalArgumentException saying what is wrong, never quoting a secret's value
     * @throws IOException if the private file for a variable's value cannot be written
     */
    void add(String flag) throws IOException {
        Spec spec = parse(flag);
        java.util.Optional<String> problem = problem(spec);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        Spec resolved = resolve(spec);
        if (resolved.src() == null) {
            // BuildKit's secret store returns os.Getenv(VAR) (secretsprovider/store.go, GetSecret): an unset
            // variable is an empty secret, not an error. With both src and env the file wins, as in GetSecret.
            files.put(spec.id(), write(environment.getOrDefault(resolved.env(), "")));
            return;
        }
        files.put(spec.id(), Path.of(resolved.src()).toAbsolutePath());
    }

    private Path write(String value) throws IOException {
        if (privateDir == null) {
            Path shm = Path.of("/dev/shm");
            Path parent = Files.isDirectory(shm) && Files.isWritable(shm) ? shm
                    : Path.of(System.getProperty("java.io.tmpdir"));
            privateDir = Files.createTempDirectory(parent, "wharf-secrets-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path file = Files.createTempFile(privateDir, "secret-", "",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, value, StandardCharsets.UTF_8);
        return file;
    }

    /** Deletes the private files of secrets read from variables. */
    @Override
    public void close() throws IOException {
        if (privateDir != null) {
            FileTrees.delete(privateDir);
            privateDir = null;
        }
    }
}
