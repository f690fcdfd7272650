package dev.wharf.builder.exec;

import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.DockerfileCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Typed Dockerfiles kept in the store ({@code <root>/parse-cache}), so that a fresh CLI process rebuilding an
 * unchanged Dockerfile does not run the parser: ANTLR's state machines and prediction caches are built by
 * interpreted code in every new JVM, 30-40 ms of CPU for a small Dockerfile, more than reading this entry.
 *
 * <p>An entry holds the code's identity, the file name and the exact text it was parsed from, the encoded
 * {@link Dockerfile} ({@link DockerfileCodec}) and a SHA-256 of all of it; it is used only when all of these match,
 * so a changed Dockerfile (or another wharf build: the jar's path, size and modification time) never hits, and a
 * damaged, truncated or foreign file is ignored (and removed). Only successful parses are stored, so errors are
 * always the parser's own; warnings and source ranges are part of the typed model and come back unchanged.
 * Written to a temporary name and renamed, so a reader sees a whole entry or none; not synced: a crash can at worst
 * leave an entry the checksum refuses. At most {@value #MAX_ENTRIES} entries, the oldest written removed first.
 *
 * <p>Only when the grammar classes come from a jar (the CLI): classes from a directory (a development build) have
 * no identity that changes with their content, so no cache. Thread-safe; stateless besides the files.
 */
public final class ParseCache {
    /** The directory under a store root. */
    static final String DIRECTORY = "parse-cache";
    static final int MAX_ENTRIES = 64;
    private static final int MAGIC = 0x57504331; // "WPC1"
    private static final int DIGEST_LENGTH = 32;
    private static final String TEMPORARY = ".tmp-";
    private static final Optional<String> CODE = codeIdentity();

    private final Path dir;
    private final String code;

    ParseCache(Path dir, String code) {
        this.dir = dir;
        this.code = code;
    }

    /**
     * Whether the store at {@code root} holds an entry for a Dockerfile of exactly {@code text} (under any name, of
     * any code): a build of it there is likely not to run the parser at all, so that the CLI's start-up warm-up
     * of the parser would be wasted CPU time. A guess that costs one {@code stat}, not a lookup.
     */
    public static boolean holds(Path root, String text) {
        return Files.isRegularFile(root.resolve(DIRECTORY).resolve(entryName(text)));
    }

    /** The cache of the store at {@code root}, when the running code has an identity ({@link #codeIdentity}). */
    static Optional<ParseCache> of(Path root) {
        return CODE.map(code -> new ParseCache(root.resolve(DIRECTORY), code));
    }

    /**
     * The jar the grammar classes were loaded from, by path, size and modification time: any rebuild of wharf
     * changes it. Empty when they come from a directory.
     */
    private static Optional<String> codeIdentity() {
        try {
            var source = DockerfileCodec.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return Optional.empty();
            }
            Path jar = Path.of(source.getLocation().toURI());
            BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(jar + "\0" + attributes.size() + "\0" + attributes.lastModifiedTime().toMillis());
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The Dockerfile parsed from exactly {@code name} and {@code text} by this code, if an entry holds it. */
    Optional<Dockerfile> lookup(String name, String text) {
        Path entry = dir.resolve(entryName(text));
        byte[] data;
        try {
            data = Files.readAllBytes(entry);
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(read(data, name, text));
        } catch (IOException | RuntimeException | StackOverflowError | LinkageError e) {
            // Damaged or of another code/text (a digest clash would be one), or a model too deep to decode or of
            // classes this code lacks: never used, the parser decides; removed so that the next successful parse
            // writes a good one.
            try {
                Files.deleteIfExists(entry);
            } catch (IOException ignored) {
                // Left; refused again next time.
            }
            return Optional.empty();
        }
    }

    private Dockerfile read(byte[] data, String name, String text) throws IOException {
        if (data.length < DIGEST_LENGTH + 4) {
            throw new IOException("truncated");
        }
        byte[] body = Arrays.copyOf(data, data.length - DIGEST_LENGTH);
        byte[] digest = Arrays.copyOfRange(data, data.length - DIGEST_LENGTH, data.length);
        if (!MessageDigest.isEqual(sha256(body), digest)) {
            throw new IOException("checksum mismatch");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
        if (in.readInt() != MAGIC || !readString(in).equals(code) || !readString(in).equals(name)
                || !readString(in).equals(text)) {
            throw new IOException("another entry");
        }
        int length = in.readInt();
        if (length < 0 || length != in.available()) {
            throw new IOException("bad length");
        }
        byte[] encoded = new byte[length];
        in.readFully(encoded);
        return DockerfileCodec.decode(encoded);
    }

    /**
     * Keeps {@code dockerfile}, parsed from {@code name} and {@code text}. Best effort: a store that cannot take it
     * (read-only, full) or a model the codec cannot carry only means the next process parses again.
     */
    void store(String name, String text, Dockerfile dockerfile) {
        Path temporary = null;
        try {
            byte[] encoded = DockerfileCodec.encode(dockerfile);
            // A model that does not rebuild to itself (a constructor that changes its components) is never
            // cached. Compared as bytes, not with equals: the records' first equals calls in a fresh JVM bootstrap
            // their ObjectMethods handles, 50-60 ms of CPU for the hello example (decoding takes 3).
            if (!Arrays.equals(DockerfileCodec.encode(DockerfileCodec.decode(encoded)), encoded)) {
                return;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length + 2 * text.length() + 256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            writeString(out, code);
            writeString(out, name);
            writeString(out, text);
            out.writeInt(encoded.length);
            out.write(encoded);
            out.flush();
            byte[] body = bytes.toByteArray();
            Files.createDirectories(dir);
            temporary = dir.resolve(TEMPORARY + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            byte[] entry = Arrays.copyOf(body, body.length + DIGEST_LENGTH);
            System.arraycopy(sha256(body), 0, entry, body.length, DIGEST_LENGTH);
            Files.write(temporary, entry);
            Files.move(temporary, dir.resolve(entryName(text)), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            temporary = null;
            trim();
        } catch (IOException | RuntimeException | StackOverflowError | LinkageError e) {
            // Best effort, see above: a cache that cannot store never fails the build.
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // A stray temporary file; its name is never looked up, and trim() removes old ones.
                }
            }
        }
    }

    /** Removes the oldest entries beyond {@link #MAX_ENTRIES}, and temporary files left by a crash. */
    private void trim() throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                entries.add(file);
            }
        }
        if (entries.size() <= MAX_ENTRIES) {
            return;
        }
        List<Path> byAge = new ArrayList<>(entries);
        byAge.sort(Comparator.comparingLong(ParseCache::modified));
        for (Path old : byAge.subList(0, byAge.size() - MAX_ENTRIES)) {
            Files.deleteIfExists(old);
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return Long.MIN_VALUE;
        }
    }

    /**
     * The file name of an entry: a digest of the text alone, so that the CLI's warm-up can tell from the text it
     * reads ({@link #holds}); the entry holds name and text, compared on lookup (one name per text is kept).
     */
    private static String entryName(String text) {
        return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] sha256(byte[] data) {
        return newSha256().digest(data);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        out.writeInt(s.length());
        out.writeChars(s);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available() / 2) {
            throw new IOException("truncated");
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = in.readChar();
        }
        return new String(chars);
    }
}
