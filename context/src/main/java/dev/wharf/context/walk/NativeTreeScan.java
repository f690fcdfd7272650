package dev.wharf.context.walk;

import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.NativeHelpers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The whole-tree scan of a context by the native helper {@code wharf-scan} ({@code src/main/c/wharf-scan.c}): one
 * process lists and lstats every entry (getdents64 + fstatat, the root's subdirectories on all cores) and streams
 * them as the columns of a context snapshot's rows in the walk order of {@link ContextWalker}, with a keyed
 * fingerprint of each directory's subtree's lstat data. A fresh JVM thereby spends no time per entry on system
 * calls, jnr-ffi, objects or compiling per-entry code (it copies columns in bulk), and the checksum can reuse a
 * directory's digest when its fingerprint is one it has seen.
 *
 * <p>The helper and the fingerprint key (32 random bytes, mode 0600, made once) live in a state directory: the
 * persisted checksum cache's, since a fingerprint means something only with the key under which the cache stored
 * it (the key keeps a context's author from crafting two subtrees with one fingerprint). Where the helper is not
 * packaged (no gcc at build time, another OS or architecture) {@link #open} is empty and callers walk with
 * {@link ContextWalker}.
 *
 * <p>The helper keeps each context's directory listings in the state directory ({@value #LISTINGS}, one file per
 * context path): a later scan takes the names of a directory whose lstat data (device, inode, mtime, ctime, size,
 * links) has not moved from there instead of listing it again, and still lstats every entry (see wharf-scan.c for
 * when a listing is kept). Immutable and thread-safe.
 */
public final class NativeTreeScan {

    static final String NAME = "wharf-scan";
    static final String KEY_FILE = "scan-key";
    private static final int KEY_BYTES = 32;
    /** The state directory's subdirectory of cached listings. */
    static final String LISTINGS = "scan-listings";
    /**
     * A directory changed this recently may change again within the file system's timestamp granularity without its
     * times moving, so its listing is not kept (as the checksum cache's racy window).
     */
    private static final long LISTING_WINDOW_NANOS = 2_000_000_000L;

    private final Path helper;
    private final Path stateDir;
    private final long listingWindowNanos;

    private NativeTreeScan(Path helper, Path stateDir, long listingWindowNanos) {
        this.helper = helper;
        this.stateDir = stateDir;
        this.listingWindowNanos = listingWindowNanos;
    }

    /**
     * This scanner with another window for keeping listings (negative: no cached listings at all): tests keep those
     * of directories made just before, or compare with a scan that lists every directory.
     */
    NativeTreeScan withListingWindow(long nanos) {
        return new NativeTreeScan(helper, stateDir, nanos);
    }

    /**
     * The file of cached listings of context {@code root}: named by a 64-bit FNV-1a hash of its absolute path (a
     * collision only makes two contexts take turns at listing), computed by hand since a digest algorithm's first
     * use costs a fresh JVM more than the scan saves.
     */
    Path listingFile(Path root) {
        byte[] p = root.toAbsolutePath().normalize().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long h = 0xcbf29ce484222325L;
        for (byte b : p) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return stateDir.resolve(LISTINGS).resolve(Long.toHexString(h));
    }

    /**
     * The scanner whose helper and key are in {@code stateDir} (installed or made now if missing), or empty when
     * this build has no helper for this platform or the directory cannot hold them.
     */
    public static Optional<NativeTreeScan> open(Path stateDir) {
        Optional<Path> helper = NativeHelpers.install(NativeTreeScan.class, NAME, stateDir.resolve(".helper"));
        if (helper.isEmpty()) {
            return Optional.empty();
        }
        try {
            key(stateDir); // made here (the helper only reads it), so that concurrent processes agree on one
            return Optional.of(new NativeTreeScan(helper.get(), stateDir, LISTING_WINDOW_NANOS));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The fingerprint key: read, or made (atomically, so concurrent processes agree on the first one written). */
    private static byte[] key(Path dir) throws IOException {
        Path file = dir.resolve(KEY_FILE);
        try {
            byte[] k = Files.readAllBytes(file);
            if (k.length == KEY_BYTES) {
                return k;
            }
        } catch (NoSuchFileException e) {
            // first use
        }
        byte[] k = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(k);
        Path temp = Files.createTempFile(dir, KEY_FILE, ".tmp");
        try {
            Files.write(temp, k);
            try {
                // A link fails if another process made the key meanwhile: its key is the one to use.
                Files.createLink(file, temp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                byte[] theirs = Files.readAllBytes(file);
                if (theirs.length == KEY_BYTES) {
                    return theirs;
                }
                AtomicFiles.replace(file, k, dir, PosixFilePermissions.fromString("rw-------"));
            }
            AtomicFiles.fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
        return k;
    }

    /**
     * The extended attributes of {@code file} by full name, never following a symlink, as fsutil's loadXattr reads
     * them (only values read without error; none where the file system has no support), read by one run of the
     * helper: for the few files a re-checksum hashes, cheaper than loading a libc binding into a fresh JVM. Empty
     * when the helper fails or reports an error (the caller then reads them itself and reports it).
     */
    public Optional<java.util.Map<String, byte[]>> xattrs(Path file) {
        byte[] out = run(NO_INPUT, new AllBytes(), helper.toString(), "--xattrs", file.toString());
        return out == null ? Optional.empty() : parseXattrs(out, 0, out.length);
    }

    /**
     * The attributes the helper wrote in {@code out[from, to)} ({@code --xattrs}'s format, also what a scan with
     * {@code xattrsSince} sends per entry): empty when it reported a failure to list them or the bytes are malformed.
     */
    public static Optional<java.util.Map<String, byte[]>> parseXattrs(byte[] out, int from, int to) {
        if (to <= from || out[to - 1] != 'Z') {
            return Optional.empty();
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out).order(java.nio.ByteOrder.nativeOrder());
        java.util.Map<String, byte[]> attrs = new java.util.HashMap<>();
        int at = from;
        while (out[at] == 'A') {
            if (at + 7L >= to) {
                return Optional.empty();
            }
            int nameLen = b.getShort(at + 1) & 0xffff;
            int valueLen = b.getInt(at + 3);
            if (valueLen < 0 || at + 7L + nameLen + valueLen >= to) {
                return Optional.empty();
            }
            String name = new String(out, at + 7, nameLen, java.nio.charset.StandardCharsets.UTF_8);
            attrs.put(name, java.util.Arrays.copyOfRange(out, at + 7 + nameLen, at + 7 + nameLen + valueLen));
            at += 7 + nameLen + valueLen;
        }
        return at == to - 1 ? Optional.of(attrs) : Optional.empty();
    }

    /**
     * Reads what the helper writes; returns null when it is malformed. Implementations are classes rather than
     * lambdas, which a fresh JVM spins at first use.
     */
    public interface Reader<T> {
        T read(InputStream in) throws IOException;
    }

    /**
     * Scans {@code root}: what {@code reader} makes of the helper's output (see {@code conv} in wharf-scan.c: the
     * rows of a context snapshot in blocks of columns, written as the walk goes, then its directories' fingerprints
     * and {@code Z} last), read as the helper writes them; empty when the helper reported a failure (an
     * unreadable directory, an lstat error other than a vanished entry), could not run, or the reader found the
     * output malformed. The caller then walks with java.nio, which reports such failures as wharf always has.
     */
    public <T> Optional<T> scan(Path root, Reader<T> reader) {
        return scan(root, PruneHints.NONE, Long.MAX_VALUE, reader);
    }

    /**
     * {@link #scan(Path, Reader)}, leaving unlisted the directories {@code hints} name (their rows are there, marked
     * by the top bit of their fingerprint row, without the entries below them), the output also carrying the
     * extended attributes of each entry whose ctime is at least {@code xattrsSince} (nanoseconds since the epoch;
     * {@code Long.MAX_VALUE}: none), of at most 1,024 entries (see {@code --xattrs-since} in wharf-scan.c).
     */
    public <T> Optional<T> scan(Path root, PruneHints hints, long xattrsSince, Reader<T> reader) {
        // The helper reads the key from its file and stdin only when there are rules: it starts walking as soon as
        // it runs rather than when ProcessBuilder.start has returned here and the JVM has written to its stdin.
        java.util.List<String> args = new java.util.ArrayList<>(8);
        args.add(helper.toString());
        args.add(root.toString());
        args.add("--key");
        args.add(stateDir.resolve(KEY_FILE).toString());
        byte[][] input = NO_INPUT;
        if (!hints.isEmpty()) {
            args.add("--rules");
            input = new byte[][] {hints.encode()};
        }
        if (xattrsSince != Long.MAX_VALUE) {
            args.add("--xattrs-since");
            args.add(Long.toString(xattrsSince));
        }
        if (listingWindowNanos >= 0) {
            args.add("--listings");
            args.add(listingFile(root).toString());
            args.add(Long.toString(listingWindowNanos));
        }
        return Optional.ofNullable(run(input, reader, args.toArray(new String[0])));
    }

    private static final byte[][] NO_INPUT = new byte[0][];

    /** Its whole output: what {@link #xattrs} parses. A class rather than a lambda, as for every {@link Reader}. */
    private static final class AllBytes implements Reader<byte[]> {
        @Override
        public byte[] read(InputStream in) throws IOException {
            return in.readAllBytes();
        }
    }

    /**
     * Runs the helper with {@code args}, writing {@code input} to its stdin and closing it: what {@code reader}
     * makes of its output as it comes, or null when it could not start, failed, or the reader returned null.
     */
    private static <T> T run(byte[][] input, Reader<T> reader, String... args) {
        Process p;
        try {
            p = new ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return null;
        }
        try {
            try (OutputStream in = p.getOutputStream()) {
                for (byte[] b : input) {
                    in.write(b);
                }
            }
            T out;
            try (InputStream s = p.getInputStream()) {
                out = reader.read(s);
            }
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            p.destroy();
        }
    }
}
