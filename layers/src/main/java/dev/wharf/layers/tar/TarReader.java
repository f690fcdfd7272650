package dev.wharf.layers.tar;

import dev.wharf.layers.LayerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a tar stream strictly: POSIX ustar and old GNU headers, PAX extended headers ({@code x}; global {@code g}
 * headers are skipped as containerd does), GNU long names ({@code L}, {@code K}), octal and base-256 numbers.
 *
 * <p>It refuses what it cannot apply faithfully, with a {@link LayerException} naming the entry: bad checksums,
 * unknown or sparse entry types, negative sizes, PAX or long-name data larger than {@link #MAX_SPECIAL_SIZE} (Go's
 * {@code archive/tar} limit), a stream that ends before the end-of-archive blocks, and content cut short. PAX values
 * are kept as raw bytes, so binary xattrs survive. Not thread-safe; does not close the underlying stream.
 */
public final class TarReader {
    /** The largest PAX header or GNU long name accepted, in bytes (as Go's {@code maxSpecialFileSize}). */
    public static final int MAX_SPECIAL_SIZE = 1 << 20;
    private static final int BLOCK = TarWriter.BLOCK;
    private static final byte[] USTAR_MAGIC = "ustar\0".getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;
    private final byte[] block = new byte[BLOCK];
    /** Where skipped content is read to: one per reader, not one per entry (11,000 entries made 88 MB of garbage). */
    private final byte[] skipBuffer = new byte[8192];
    private TarEntry current;
    private long remaining;
    private long padding;
    private boolean ended;

    /** Creates a reader over {@code in}. */
    public TarReader(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    /**
     * Advances to the next entry, skipping what is left of the current one's content.
     *
     * @return the next entry, or empty at the end-of-archive marker
     * @throws LayerException if the archive is malformed or truncated
     */
    public Optional<TarEntry> next() throws IOException {
        if (ended) {
            return Optional.empty();
        }
        skipRest();
        Map<String, byte[]> pax = new HashMap<>();
        String longName = null;
        String longLink = null;
        while (true) {
            if (!readBlock(true)) {
                throw new LayerException("tar archive is truncated: it ends without the end-of-archive blocks"
                        + after());
            }
            if (isZero(block)) {
                if (!pax.isEmpty() || longName != null || longLink != null) {
                    // Go's archive/tar ends silently here, dropping the described entry: an archive cut after a
                    // PAX header or GNU long name would apply as a partial result with no error.
                    throw new LayerException("tar archive is malformed: it ends after a "
                            + (pax.isEmpty() ? "GNU long name" : "PAX extended header")
                            + " without the entry it describes" + after());
                }
                // One zero block at the very end is accepted, as Go's archive/tar does: no entry is lost.
                if (readBlock(true) && !isZero(block)) {
                    throw new LayerException("tar archive is malformed: a zero block is not followed by another"
                            + after());
                }
                ended = true;
                current = null;
                return Optional.empty();
            }
            verifyChecksum();
            char type = (char) block[156];
            long size = number(124, 12, "size");
            if (size < 0) {
                throw new LayerException("tar header has a negative size" + after());
            }
            switch (type) {
                case 'x', 'g', 'L', 'K' -> {
                    if (size > MAX_SPECIAL_SIZE) {
                        throw new LayerException("tar header of type '" + type + "' is " + size
                                + " bytes, more than the " + MAX_SPECIAL_SIZE + " allowed" + after());
                    }
                    byte[] data = readData((int) size);
                    if (type == 'x') {
                        parsePax(data, pax);
                    } else if (type == 'L') {
                        longName = cString(data);
                    } else if (type == 'K') {
                        longLink = cString(data);
                    }
                    // 'g': global headers are ignored, as containerd's applier does.
                    continue;
                }
                default -> {
                    // An entry header; handled below.
                }
            }
            current = entry(type, size, pax, longName, longLink);
            return Optional.of(current);
        }
    }

    /** Returns the content of the current entry; reading past its end returns -1. */
    public InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new LayerException("tar archive is truncated inside the content of " + current.name());
                }
                remaining -= n;
                return n;
            }
        };
    }

    private TarEntry entry(char type, long size, Map<String, byte[]> pax, String longName, String longLink)
            throws LayerException {
        // Only POSIX ustar has a name prefix; old GNU headers use those bytes for other fields.
        boolean posix = Arrays.equals(block, 257, 263, USTAR_MAGIC, 0, USTAR_MAGIC.length);
        String name = string(0, 100);
        if (posix && block[345] != 0) {
            name = string(345, 155) + "/" + name;
        }
        if (longName != null) {
            name = longName;
        }
        if (pax.containsKey("path")) {
            name = new String(pax.get("path"), StandardCharsets.UTF_8);
        }
        String link = string(157, 100);
        if (longLink != null) {
            link = longLink;
        }
        if (pax.containsKey("linkpath")) {
            link = new String(pax.get("linkpath"), StandardCharsets.UTF_8);
        }
        long mode = number(100, 8, "mode");
        long uid = number(108, 8, "uid");
        long gid = number(116, 8, "gid");
        long mtime = number(136, 12, "mtime");
        if (!pax.isEmpty()) {
            uid = paxNumber(pax, "uid", uid, name);
            gid = paxNumber(pax, "gid", gid, name);
            mtime = paxNumber(pax, "mtime", mtime, name);
            size = paxNumber(pax, "size", size, name);
        }
        if (uid < 0 || gid < 0 || size < 0) {
            throw new LayerException("negative uid, gid or size in tar entry " + name);
        }
        TarEntryType kind = switch (type) {
            case '0', '\0', '7' -> name.endsWith("/") && type == '\0' ? TarEntryType.DIRECTORY : TarEntryType.REGULAR;
            case '1' -> TarEntryType.HARDLINK;
            case '2' -> TarEntryType.SYMLINK;
            case '3' -> TarEntryType.CHAR_DEVICE;
            case '4' -> TarEntryType.BLOCK_DEVICE;
            case '5' -> TarEntryType.DIRECTORY;
            case '6' -> TarEntryType.FIFO;
            default -> throw new LayerException("unsupported tar entry type '" + printable(type) + "'"
                    + " in tar entry " + name + " (sparse files, multi-volume and vendor types cannot be applied)");
        };
        for (String key : pax.keySet()) {
            if (key.startsWith("GNU.sparse.")) {
                throw new LayerException("sparse files are not supported in tar entry " + name);
            }
        }
        long devMajor = 0;
        long devMinor = 0;
        if (kind == TarEntryType.CHAR_DEVICE || kind == TarEntryType.BLOCK_DEVICE) {
            devMajor = number(329, 8, "devmajor");
            devMinor = number(337, 8, "devminor");
            if (devMajor < 0 || devMinor < 0) {
                throw new LayerException("negative device number in tar entry " + name);
            }
        }
        Map<String, byte[]> xattrs = Map.of();
        for (Map.Entry<String, byte[]> record : pax.entrySet()) {
            String k = record.getKey();
            if (k.startsWith("SCHILY.xattr.") && k.length() > "SCHILY.xattr.".length()) {
                if (xattrs.isEmpty()) {
                    xattrs = new HashMap<>();
                }
                xattrs.put(k.substring("SCHILY.xattr.".length()), record.getValue());
            }
        }
        long contentSize = kind == TarEntryType.REGULAR ? size : 0;
        TarEntry e = new TarEntry(name, kind, (int) (mode & 07777), uid, gid, contentSize, mtime, link, devMajor,
                devMinor, xattrs);
        // Content of other types (some writers give hard links a size) is skipped with the padding.
        remaining = size;
        padding = (BLOCK - size % BLOCK) % BLOCK;
        return e;
    }

    private void skipRest() throws IOException {
        long toSkip = remaining + padding;
        while (toSkip > 0) {
            int n = in.read(skipBuffer, 0, (int) Math.min(skipBuffer.length, toSkip));
            if (n < 0) {
                throw new LayerException("tar archive is truncated inside the content of "
                        + (current == null ? "an entry" : current.name()));
            }
            toSkip -= n;
        }
        remaining = 0;
        padding = 0;
    }

    private byte[] readData(int size) throws IOException {
        byte[] data = in.readNBytes(size);
        if (data.length != size) {
            throw new LayerException("tar archive is truncated inside an extended header" + after());
        }
        int pad = (BLOCK - size % BLOCK) % BLOCK;
        if (in.readNBytes(pad).length != pad) {
            throw new LayerException("tar archive is truncated inside an extended header" + after());
        }
        return data;
    }

    /** Reads one block; returns false on a clean end of stream before it, throws on a partial block. */
    private boolean readBlock(boolean allowEnd) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0 && allowEnd) {
            return false;
        }
        if (n != BLOCK) {
            throw new LayerException("tar archive is truncated inside a header" + after());
        }
        return true;
    }

    private void verifyChecksum() throws LayerException {
        long stored = number(148, 8, "checksum");
        // The checksum field itself counts as eight spaces. Two loops without a branch on the index: this runs
        // over every header, interpreted for the first thousand in a fresh JVM.
        long unsigned = 8 * ' ';
        long signed = 8 * ' ';
        for (int i = 0; i < 148; i++) {
            unsigned += block[i] & 0xff;
            signed += block[i];
        }
        for (int i = 156; i < BLOCK; i++) {
            unsigned += block[i] & 0xff;
            signed += block[i];
        }
        if (stored != unsigned && stored != signed) {
            throw new LayerException("tar header checksum mismatch (not a tar archive, or corrupted)" + after());
        }
    }

    private void parsePax(byte[] data, Map<String, byte[]> pax) throws LayerException {
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            long len;
            try {
                len = Long.parseLong(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new LayerException("malformed PAX record length in tar archive" + after());
            }
            // len > data.length - pos, not pos + len > data.length: a length near Long.MAX_VALUE must not wrap.
            if (len <= space - pos + 1 || len > data.length - pos || data[(int) (pos + len - 1)] != '\n') {
                throw new LayerException("malformed PAX record in tar archive" + after());
            }
            int end = (int) (pos + len - 1);
            int eq = space + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq >= end || eq == space + 1) {
                throw new LayerException("malformed PAX record (no key=value) in tar archive" + after());
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            pax.put(key, Arrays.copyOfRange(data, eq + 1, end));
            pos = end + 1;
        }
    }

    /** A PAX record's number, else {@code fallback}; {@code name} is the entry's, for the message (built on error). */
    private static long paxNumber(Map<String, byte[]> pax, String key, long fallback, String name)
            throws LayerException {
        byte[] v = pax.get(key);
        if (v == null) {
            return fallback;
        }
        String s = new String(v, StandardCharsets.US_ASCII);
        int dot = s.indexOf('.');
        if (dot >= 0 && key.equals("mtime")) {
            s = s.substring(0, dot);
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new LayerException("malformed PAX " + key + " value '" + s + "' in tar entry " + name);
        }
    }

    private long number(int offset, int width, String field) throws LayerException {
        if ((block[offset] & 0x80) != 0) {
            // GNU base-256: big-endian two's complement, the top bit of the first byte is the marker.
            long v = (block[offset] & 0x40) != 0 ? -1 : 0;
            v = (v << 6) | (block[offset] & 0x3f);
            for (int i = 1; i < width; i++) {
                if ((v >>> 55) != 0 && (v >>> 55) != 0x1ff) {
                    throw new LayerException("tar header " + field + " is too large" + after());
                }
                v = (v << 8) | (block[offset + i] & 0xff);
            }
            return v;
        }
        long v = octal(block, offset, offset + width);
        if (v < 0) {
            throw new LayerException("tar header " + field + " is not an octal number" + after());
        }
        return v;
    }

    /**
     * The octal number in {@code block[from..end)}, between optional spaces or NULs (0 when there are no digits), or
     * -1 when anything else is there. Apart from {@link #number}: its loops run ~8 times per entry, so in a fresh
     * JVM C2 compiles them on stack replacement during a large apply; inside {@code number} (407 bytes with the
     * base-256 path and the messages) that took two OSR compiles and a full one of the whole method
     * (PrintCompilation of LayerBench apply, 367 MB layer), here it is a few dozen bytes.
     */
    private static long octal(byte[] block, int from, int end) {
        int i = from;
        while (i < end && (block[i] == ' ' || block[i] == 0)) {
            i++;
        }
        long v = 0;
        for (; i < end && block[i] != ' ' && block[i] != 0; i++) {
            int d = block[i] - '0';
            if (d < 0 || d > 7) {
                return -1;
            }
            v = v * 8 + d;
        }
        for (; i < end; i++) {
            if (block[i] != ' ' && block[i] != 0) {
                return -1;
            }
        }
        return v;
    }

    private String string(int offset, int width) {
        int end = offset;
        while (end < offset + width && block[end] != 0) {
            end++;
        }
        return new String(block, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] data) {
        int end = 0;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, 0, end, StandardCharsets.UTF_8);
    }

    private String after() {
        return current == null ? "" : " (after entry " + current.name() + ")";
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c);
    }
}
