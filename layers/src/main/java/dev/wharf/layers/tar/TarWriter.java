package dev.wharf.layers.tar;

import dev.wharf.layers.LayerException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes a tar stream whose bytes depend only on the entries and contents given: POSIX ustar headers with empty
 * user and group names, and a PAX extended header ({@code x}) before an entry only when a field does not fit ustar
 * (long or non-ASCII names and link targets, sizes of 8 GiB and more, large IDs, times outside ustar's range) or
 * the entry has xattrs. PAX records are sorted by key, as Go's {@code archive/tar} writes them; the archive ends
 * with two zero blocks and no further padding, also as Go does.
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
        // Most entries need no PAX record: the map is made only for one that does (this runs for every entry).
        Map<String, byte[]> pax = null;
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = entry.linkName().isEmpty() ? NO_BYTES : entry.linkName().getBytes(StandardCharsets.UTF_8);
        int split = ustarSplit(name, nameBytes);
        if (split < 0) {
            pax = record(pax, "path", nameBytes);
        }
        if (linkBytes.length > 100 || !isAscii(entry.linkName())) {
            pax = record(pax, "linkpath", linkBytes);
        }
        if (entry.size() > MAX_OCTAL_11) {
            pax = record(pax, "size", ascii(Long.toString(entry.size())));
        }
        if (entry.uid() > MAX_OCTAL_7) {
            pax = record(pax, "uid", ascii(Long.toString(entry.uid())));
        }
        if (entry.gid() > MAX_OCTAL_7) {
            pax = record(pax, "gid", ascii(Long.toString(entry.gid())));
        }
        if (entry.mtime() < 0 || entry.mtime() > MAX_OCTAL_11) {
            pax = record(pax, "mtime", ascii(Long.toString(entry.mtime())));
        }
        if (entry.devMajor() > MAX_OCTAL_7 || entry.devMinor() > MAX_OCTAL_7) {
            throw new LayerException("device numbers of " + entry.name() + " do not fit a tar header");
        }
        for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
            pax = record(pax, "SCHILY.xattr." + x.getKey(), x.getValue());
        }
        if (pax != null) {
            byte[] records = paxRecords(pax);
            out.write(paxHeader(name, records.length));
            out.write(records);
            pad(records.length);
        }
        byte[] ustarName;
        byte[] prefix = NO_BYTES;
        if (split < 0) {
            ustarName = v7Field(name, 100);
        } else if (split == 0) {
            ustarName = nameBytes;
        } else {
            prefix = Arrays.copyOf(nameBytes, split);
            ustarName = Arrays.copyOfRange(nameBytes, split + 1, nameBytes.length);
        }
        out.write(header(ustarName, prefix, entry.type().flag(), entry.mode(), fit(entry.uid(), MAX_OCTAL_7),
                fit(entry.gid(), MAX_OCTAL_7), fit(entry.size(), MAX_OCTAL_11),
                entry.mtime() < 0 ? 0 : fit(entry.mtime(), MAX_OCTAL_11),
                linkBytes.length <= 100 && isAscii(entry.linkName()) ? linkBytes : v7Field(entry.linkName(), 100),
                entry.devMajor(), entry.devMinor()));
        started(entry);
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

    /**
     * The header of the PAX record block of entry {@code name}, as Go's {@code writePAXHeader} and
     * {@code writeRawFile} make it (the tar writer of containerd's and moby's differs): named
     * {@code DIR/PaxHeaders.0/FILE} ({@code path.Join} of {@code path.Split(name)}), in ASCII, at most 100 bytes
     * without a trailing slash; mode, owner and mtime 0; no user, group or device fields.
     */
    private static byte[] paxHeader(String name, long size) {
        int slash = name.lastIndexOf('/');
        String dir = name.substring(0, slash + 1);
        String file = name.substring(slash + 1);
        String joined = dir + "PaxHeaders.0" + (file.isEmpty() ? "" : "/" + file);
        byte[] n = toAscii(joined);
        int end = Math.min(n.length, 100);
        while (end > 0 && n[end - 1] == '/') {
            end--;
        }
        byte[] h = new byte[BLOCK];
        System.arraycopy(n, 0, h, 0, end);
        octal(h, 100, 8, 0);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        h[156] = 'x';
        System.arraycopy(USTAR_MAGIC, 0, h, 257, USTAR_MAGIC.length);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        octal(h, 148, 7, unsignedSum(h));
        return h;
    }

    /**
     * A name or link target that goes into a PAX record, as Go fills the ustar field next to it: its ASCII
     * characters (others dropped, {@code toASCII}), cut to {@code size} bytes; a cut ending in a slash gets a NUL
     * over the first of the slashes it ends in ({@code formatString}: some readers take a file whose field ends in a
     * slash for a directory), the slashes after it staying as Go leaves them.
     */
    private static byte[] v7Field(String value, int size) {
        byte[] ascii = toAscii(value);
        if (ascii.length <= size) {
            return ascii;
        }
        byte[] field = Arrays.copyOf(ascii, size);
        if (field[size - 1] == '/') {
            int n = size - 1;
            while (n > 0 && ascii[n - 1] == '/') {
                n--;
            }
            field[n] = 0;
        }
        return field;
    }

    /** Go's {@code toASCII}: the characters below 0x80, NUL excepted. */
    private static byte[] toAscii(String s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(s.length());
        s.codePoints().filter(c -> c < 0x80 && c != 0).forEach(b::write);
        return b.toByteArray();
    }

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

    private static byte[] paxRecords(Map<String, byte[]> records) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            // "<len> <key>=<value>\n" where len counts itself.
            int rest = 1 + key.length + 1 + r.getValue().length + 1;
            int len = rest + Integer.toString(rest).length();
            if (Integer.toString(len).length() != Integer.toString(rest).length()) {
                len++;
            }
            buf.write(ascii(Integer.toString(len)));
            buf.write(' ');
            buf.write(key);
            buf.write('=');
            buf.write(r.getValue());
            buf.write('\n');
        }
        return buf.toByteArray();
    }

    /** Adds a PAX record to {@code pax}, made (sorted by key, as Go writes them) on the first record. */
    private static Map<String, byte[]> record(Map<String, byte[]> pax, String key, byte[] value) {
        Map<String, byte[]> records = pax == null ? new TreeMap<>() : pax;
        records.put(key, value);
        return records;
    }

    private static long fit(long value, long max) {
        return value > max ? 0 : value;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
