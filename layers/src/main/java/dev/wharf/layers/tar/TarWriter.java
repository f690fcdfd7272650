package dev.wharf.layers.tar;

import dev.wharf.layers.LayerException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes a tar stream whose bytes depend only on the entries and contents given, byte for byte as Go's
 * {@code archive/tar} writes them for containerd's differ (BuildKit's layers): POSIX ustar headers with empty user
 * and group names, a long name split into ustar prefix and name where it can be; a PAX extended header ({@code x})
 * before an entry only when a field does not fit ustar (long or non-ASCII names and link targets, sizes of 8 GiB and
 * more, large IDs, times outside ustar's range) or the entry has xattrs, and then the whole name in a {@code path}
 * record when it is long, even one that would split ({@link GoHeaderWriter}). The archive ends with two zero blocks
 * and no further padding, also as Go does. {@link #putHeader} writes back a header read from another tar as Go
 * does.
 *
 * <p>Not thread-safe. Usage: {@link #putEntry}, then exactly {@code size} content bytes with {@link #write}, then the
 * next entry; {@link #finish()} at the end. The writer never closes the underlying stream.
 */
public final class TarWriter {
    static final int BLOCK = 512;
    private static final long MAX_OCTAL_7 = 07777777L;
    private static final long MAX_OCTAL_11 = 077777777777L;
    /** The ustar magic and version (POSIX: "ustar", NUL, "00"). */
    private static final byte[] USTAR_MAGIC = "ustar\u000000".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] NO_BYTES = new byte[0];

    private final OutputStream out;
    /** Formats headers that need no PAX record natively; null: all in Java. */
    private final HeaderFormatter formatter;
    /** The block the formatter fills, reused: the stream copies what it is given. */
    private final byte[] scratch;
    private final byte[] zeros = new byte[BLOCK];
    private String current;
    private long remaining;
    private long written;
    private boolean finished;

    /** Creates a writer over {@code out}. */
    public TarWriter(OutputStream out) {
        this(out, null);
    }

    /**
     * Creates a writer over {@code out} whose headers that need no PAX record {@code formatter} formats (null: this
     * writer does); the bytes are the same either way.
     */
    public TarWriter(OutputStream out, HeaderFormatter formatter) {
        this.out = Objects.requireNonNull(out, "out");
        this.formatter = formatter;
        this.scratch = formatter == null ? null : new byte[BLOCK];
    }

    /**
     * Formats the ustar header block of an entry that needs no PAX record, exactly as {@link TarWriter} does (see
     * {@code PosixFiles.ustarHeader}, the native one: a fresh JVM runs this writer's per-entry Java interpreted for
     * thousands of entries). Implementations are thread-safe.
     */
    @FunctionalInterface
    public interface HeaderFormatter {
        /**
         * Fills {@code header} (512 bytes) and returns true, or returns false without touching it when the entry
         * needs a PAX record or a field does not fit; the arguments are the entry's fields, {@code type} its flag.
         */
        boolean format(String name, char type, int mode, long uid, long gid, long size, long mtime, String linkName,
                long devMajor, long devMinor, byte[] header);
    }

    /**
     * Writes the header of {@code entry} (and a PAX header first when needed). A regular file's content must
     * follow; other entries are complete.
     *
     * @throws LayerException if the previous entry's content is incomplete or writing fails
     */
    public void putEntry(TarEntry entry) throws IOException {
        endEntry();
        if (formatter != null && entry.xattrs().isEmpty()
                && formatter.format(entry.name(), entry.type().flag(), entry.mode(), entry.uid(), entry.gid(),
                        entry.size(), entry.mtime(), entry.linkName(), entry.devMajor(), entry.devMinor(), scratch)) {
            out.write(scratch);
            started(entry);
            return;
        }
        String name = entry.type() == TarEntryType.DIRECTORY && !entry.name().endsWith("/")
                ? entry.name() + "/" : entry.name();
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = entry.linkName().isEmpty() ? NO_BYTES : entry.linkName().getBytes(StandardCharsets.UTF_8);
        int split = ustarSplit(name, nameBytes);
        if (split < 0 || !entry.xattrs().isEmpty() || linkBytes.length > 100 || !isAscii(entry.linkName())
                || entry.size() > MAX_OCTAL_11 || entry.uid() > MAX_OCTAL_7 || entry.gid() > MAX_OCTAL_7
                || entry.mtime() < 0 || entry.mtime() > MAX_OCTAL_11 || entry.devMajor() > MAX_OCTAL_7
                || entry.devMinor() > MAX_OCTAL_7) {
            // A PAX header (or an error): Go's writer decides, and then even a name that would split into ustar
            // prefix and name goes whole into a path record.
            out.write(GoHeaderWriter.encode(paxHeader(entry, name)));
            started(entry);
            return;
        }
        byte[] ustarName;
        byte[] prefix = NO_BYTES;
        if (split == 0) {
            ustarName = nameBytes;
        } else {
            prefix = Arrays.copyOf(nameBytes, split);
            ustarName = Arrays.copyOfRange(nameBytes, split + 1, nameBytes.length);
        }
        out.write(header(ustarName, prefix, entry.type().flag(), entry.mode(), entry.uid(), entry.gid(),
                entry.size(), entry.mtime(), linkBytes, entry.devMajor(), entry.devMinor()));
        started(entry);
    }

    /**
     * Writes {@code header} as Go's {@code archive/tar} writes it back after reading it (BuildKit's rewrite of layer
     * times does that), every field and record kept. Content of {@link TarHeader#contentSize()} bytes must follow.
     *
     * @throws LayerException if the previous entry's content is incomplete, Go's writer would refuse the header, or
     *         writing fails
     */
    public void putHeader(TarHeader header) throws IOException {
        endEntry();
        if (plainUstar(header)) {
            // What Go writes for it, without its format choice per field (every layer wharf wrote is clamped with
            // each new epoch, entry by entry).
            int split = header.name().length() > 100 ? GoHeaderWriter.ustarSplit(header.name()) : 0;
            byte[] name = header.name().getBytes(StandardCharsets.ISO_8859_1);
            byte[] prefix = NO_BYTES;
            if (split > 0) {
                prefix = Arrays.copyOf(name, split);
                name = Arrays.copyOfRange(name, split + 1, name.length);
            }
            out.write(header(name, prefix, header.typeflag(), (int) header.mode(), header.uid(), header.gid(),
                    header.size(), header.mtime().seconds(), header.linkName().getBytes(StandardCharsets.ISO_8859_1),
                    header.devMajor(), header.devMinor()));
        } else {
            out.write(GoHeaderWriter.encode(header));
        }
        current = TarHeader.text(header.name());
        remaining = header.contentSize();
        written = remaining;
    }

    /**
     * Whether Go writes {@code h} as the plain ustar header {@link #header} makes: a format that allows ustar, no
     * records, user or group names, access or change time or fraction of a second, an ASCII name that fits or splits,
     * a short ASCII link target, numbers that fit, device numbers only on devices.
     */
    private static boolean plainUstar(TarHeader h) {
        char t = h.typeflag();
        boolean device = t == '3' || t == '4';
        return (h.format() & TarHeader.USTAR) != 0 && "0123456".indexOf(t) >= 0 && h.paxRecords().isEmpty()
                && h.atime() == null && h.ctime() == null && h.mtime().nanos() == 0 && h.uname().isEmpty()
                && h.gname().isEmpty() && (t == '5' || !h.name().endsWith("/"))
                && GoHeaderWriter.isAscii(h.name()) && (h.name().length() <= 100
                        || GoHeaderWriter.ustarSplit(h.name()) > 0)
                && GoHeaderWriter.isAscii(h.linkName()) && h.linkName().length() <= 100
                && h.mode() >= 0 && h.mode() <= MAX_OCTAL_7 && h.uid() >= 0 && h.uid() <= MAX_OCTAL_7
                && h.gid() >= 0 && h.gid() <= MAX_OCTAL_7 && h.size() >= 0 && h.size() <= MAX_OCTAL_11
                && h.mtime().seconds() >= 0 && h.mtime().seconds() <= MAX_OCTAL_11
                && (device ? h.devMajor() >= 0 && h.devMajor() <= MAX_OCTAL_7 && h.devMinor() >= 0
                        && h.devMinor() <= MAX_OCTAL_7 : h.devMajor() == 0 && h.devMinor() == 0);
    }

    /**
     * The header containerd's differ gives Go's writer for {@code entry}: {@code Format: PAX} (ustar when it can
     * be), no user or group names, xattrs as {@code SCHILY.xattr.} records.
     */
    private static TarHeader paxHeader(TarEntry entry, String name) {
        Map<String, String> records = new TreeMap<>();
        entry.xattrs().forEach((k, v) -> records.put(TarHeader.bytes("SCHILY.xattr." + k),
                new String(v, StandardCharsets.ISO_8859_1)));
        boolean device = entry.type() == TarEntryType.CHAR_DEVICE || entry.type() == TarEntryType.BLOCK_DEVICE;
        return new TarHeader(entry.type().flag(), TarHeader.bytes(name), TarHeader.bytes(entry.linkName()),
                entry.size(), entry.mode(), entry.uid(), entry.gid(), "", "", TarTime.ofSeconds(entry.mtime()), null,
                null, device ? entry.devMajor() : 0, device ? entry.devMinor() : 0, records, TarHeader.PAX);
    }

    private void started(TarEntry entry) {
        current = entry.name();
        remaining = entry.size();
        written = entry.size();
    }

    /** Writes content of the current regular file. */
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length > remaining) {
            throw new LayerException("tar entry " + current + " got more than its " + written
                    + " bytes of content; the file grew while being read");
        }
        out.write(bytes, offset, length);
        remaining -= length;
    }

    /** Ends the archive with two zero blocks; does not close the underlying stream. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        endEntry();
        out.write(zeros);
        out.write(zeros);
        out.flush();
        finished = true;
    }

    private void endEntry() throws IOException {
        if (finished) {
            throw new IllegalStateException("tar archive already finished");
        }
        if (current == null) {
            return;
        }
        if (remaining != 0) {
            throw new LayerException("tar entry " + current + " got " + (written - remaining) + " of its " + written
                    + " bytes of content; the file shrank while being read");
        }
        pad(written);
        current = null;
    }

    private void pad(long length) throws IOException {
        int rest = (int) (length % BLOCK);
        if (rest != 0) {
            out.write(zeros, 0, BLOCK - rest);
        }
    }

    /**
     * Where an ASCII name splits into ustar prefix and name: 0 when it fits the name field alone, the index of the
     * slash between prefix and name, or -1 when PAX is needed.
     */
    private static int ustarSplit(String name, byte[] bytes) {
        // Go's splitUSTARPath, without a string per entry (GoHeaderWriter.ustarSplit is the same on byte strings).
        if (!isAscii(name)) {
            return -1;
        }
        if (bytes.length <= 100) {
            return 0;
        }
        // The prefix takes as much as it can (at most 155 bytes) and ends just before a slash, as Go's splitUSTARPath.
        int limit = Math.min(bytes.length - 1, 155);
        for (int i = limit; i > 0; i--) {
            if (bytes[i] == '/' && bytes.length - i - 1 <= 100 && bytes.length - i - 1 > 0) {
                return i;
            }
        }
        return -1;
    }

    /** The ustar header of an entry that needs no PAX record (containerd's differ: no user or group names). */
    private static byte[] header(byte[] name, byte[] prefix, char type, int mode, long uid, long gid, long size,
            long mtime, byte[] linkName, long devMajor, long devMinor) {
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, Math.min(name.length, 100));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = (byte) type;
        System.arraycopy(linkName, 0, h, 157, Math.min(linkName.length, 100));
        System.arraycopy(USTAR_MAGIC, 0, h, 257, USTAR_MAGIC.length);
        // uname and gname stay empty (BuildKit and containerd write no user or group names).
        if (type == '3' || type == '4') {
            octal(h, 329, 8, devMajor);
            octal(h, 337, 8, devMinor);
        } else {
            octal(h, 329, 8, 0);
            octal(h, 337, 8, 0);
        }
        System.arraycopy(prefix, 0, h, 345, Math.min(prefix.length, 155));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        octal(h, 148, 7, unsignedSum(h));
        return h;
    }

    /**
     * The sum of the bytes as unsigned values. Apart from {@link #header}, whose loops it then no longer has: this
     * loop runs 512 times per entry, so in a fresh JVM C2 compiles it, on stack replacement first; inside
     * {@code header} that was a compile of all of its 288 bytes twice (PrintCompilation of LayerBench create zstd,
     * 367 MB tree), here of a loop.
     */
    private static long unsignedSum(byte[] h) {
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        return sum;
    }

    /**
     * Writes {@code value} (non-negative, fitting the field) as zero-padded octal in {@code width - 1} digits and a
     * NUL, digit by digit from the right: no string per field of every header.
     */
    private static void octal(byte[] h, int offset, int width, long value) {
        int end = offset + width - 1;
        h[end] = 0;
        long rest = value;
        for (int i = end - 1; i >= offset; i--) {
            h[i] = (byte) ('0' + (rest & 7));
            rest >>>= 3;
        }
    }

    /** Go's {@code isASCII}: no NUL, nothing of 0x80 or above (DEL is ASCII). */
    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || c >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
