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
    private static final byte[] GNU_MAGIC = "ustar  \0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STAR_TRAILER = "tar\0".getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;
    private final byte[] block = new byte[BLOCK];
    /** Where skipped content is read to: one per reader, not one per entry (11,000 entries made 88 MB of garbage). */
    private final byte[] skipBuffer = new byte[8192];
    private TarEntry current;
    /** The name of the last entry read, for messages about what follows it. */
    private String previous;
    private long remaining;
    private long padding;
    private boolean ended;
    /** Whether the current block has a byte of 0x80 or more outside its checksum field (set with the checksum). */
    private boolean highBytes;
    /** The current block's magic ({@link #V7} and on), set by {@link #blockFormat}. */
    private int magic;
    private static final int V7 = 0;
    private static final int USTAR = 1;
    private static final int STAR = 2;
    private static final int GNU = 3;

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
        while (true) {
            Optional<TarHeader> h = nextHeader();
            if (h.isEmpty()) {
                return Optional.empty();
            }
            if (current != null) {
                return Optional.of(current);
            }
            // 'g': global headers are ignored, as containerd's applier does.
        }
    }

    /**
     * Advances to the next header as Go's {@code tar.Reader.Next} reads it, a PAX global header ({@code 'g'})
     * included (BuildKit's rewrite of layer times writes those back too); {@link #content()} reads an entry's
     * content, none for a global header. The entry of a header is checked as {@link #next()} checks it.
     *
     * @return the next header, or empty at the end-of-archive marker
     * @throws LayerException if the archive is malformed or truncated
     */
    public Optional<TarHeader> nextHeader() throws IOException {
        if (ended) {
            return Optional.empty();
        }
        skipRest();
        if (current != null) {
            previous = current.name();
        }
        current = null;
        Map<String, String> pax = new HashMap<>();
        String longName = null;
        String longLink = null;
        // The formats the headers of this entry allow, narrowed as Go's reader narrows them.
        int format = TarHeader.USTAR | TarHeader.PAX | TarHeader.GNU;
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
                return Optional.empty();
            }
            verifyChecksum();
            char type = (char) block[156];
            long size = number(124, 12, "size");
            if (size < 0) {
                throw new LayerException("tar header has a negative size" + after());
            }
            format &= blockFormat();
            switch (type) {
                case 'x', 'g', 'L', 'K' -> {
                    if (size > MAX_SPECIAL_SIZE) {
                        throw new LayerException("tar header of type '" + type + "' is " + size
                                + " bytes, more than the " + MAX_SPECIAL_SIZE + " allowed" + after());
                    }
                    byte[] data = readData((int) size);
                    if (type == 'x' || type == 'g') {
                        format &= TarHeader.PAX;
                        Map<String, String> records = new HashMap<>();
                        parsePax(data, records);
                        if (type == 'g') {
                            String name = records.getOrDefault("path", "");
                            return Optional.of(new TarHeader('g', name.isEmpty() ? latin1(0, 100) : name, "", 0,
                                    0, 0, 0, "", "", TarTime.ofSeconds(0), null, null, 0, 0, records, format));
                        }
                        pax = records;
                    } else if (type == 'L') {
                        format &= TarHeader.GNU;
                        longName = cString(data);
                    } else {
                        format &= TarHeader.GNU;
                        longLink = cString(data);
                    }
                    continue;
                }
                default -> {
                    // An entry header; handled below.
                }
            }
            TarHeader header = header(type, size, pax, longName, longLink, format);
            // An ASCII block alone: its names are the same chars as bytes or as text (no conversion per entry).
            current = entry(header, pax, !highBytes && pax.isEmpty() && longName == null && longLink == null);
            return Optional.of(header);
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

    /**
     * The header as Go's reader makes it of the current block, the PAX records and GNU long names before it: PAX
     * records override the fields (an empty one does not), a GNU long name overrides both, the ustar prefix goes
     * before the name, and the format is the one all of the entry's headers allow.
     */
    private TarHeader header(char type, long size, Map<String, String> pax, String longName, String longLink,
            int format) throws LayerException {
        boolean ustarMagic = magic == USTAR || magic == STAR;
        boolean star = magic == STAR;
        boolean gnu = magic == GNU;
        String name = latin1(0, 100);
        String link = latin1(157, 100);
        long mode = number(100, 8, "mode");
        long uid = number(108, 8, "uid");
        long gid = number(116, 8, "gid");
        TarTime mtime = TarTime.ofSeconds(number(136, 12, "mtime"));
        String uname = "";
        String gname = "";
        long devMajor = 0;
        long devMinor = 0;
        TarTime atime = null;
        TarTime ctime = null;
        if (ustarMagic || gnu) {
            uname = latin1(265, 32);
            gname = latin1(297, 32);
            devMajor = number(329, 8, "devmajor");
            devMinor = number(337, 8, "devminor");
            String prefix = "";
            if (star) {
                prefix = latin1(345, 131);
                atime = TarTime.ofSeconds(number(476, 12, "atime"));
                ctime = TarTime.ofSeconds(number(488, 12, "ctime"));
            } else if (ustarMagic) {
                prefix = latin1(345, 155);
            } else {
                atime = gnuTime(345);
                ctime = gnuTime(357);
            }
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        for (Map.Entry<String, String> r : pax.isEmpty() ? Map.<String, String>of().entrySet() : pax.entrySet()) {
            String v = r.getValue();
            if (v.isEmpty()) {
                // Go keeps the header's value then.
                continue;
            }
            String ref = name;
            switch (r.getKey()) {
                case "path" -> name = v;
                case "linkpath" -> link = v;
                case "uname" -> uname = v;
                case "gname" -> gname = v;
                case "uid" -> uid = paxNumber(v, "uid", ref);
                case "gid" -> gid = paxNumber(v, "gid", ref);
                case "size" -> size = paxNumber(v, "size", ref);
                case "mtime" -> mtime = paxTime(v, "mtime", ref);
                case "atime" -> atime = paxTime(v, "atime", ref);
                case "ctime" -> ctime = paxTime(v, "ctime", ref);
                default -> {
                    // Kept in the records only.
                }
            }
        }
        if (longName != null) {
            name = longName;
        }
        if (longLink != null) {
            link = longLink;
        }
        char flag = type;
        if (flag == '\0') {
            flag = name.endsWith("/") ? '5' : '0';
        }
        // Go's final guess: ustar rather than PAX when both fit.
        int guess = (format & TarHeader.USTAR) != 0 && (format & TarHeader.PAX) != 0 ? TarHeader.USTAR : format;
        return new TarHeader(flag, name, link, size, mode, uid, gid, uname, gname, mtime, atime, ctime, devMajor,
                devMinor, pax, guess);
    }

    /**
     * A GNU header's access or change time: none when the field is empty, or, as Go's reader does for the headers
     * Go wrote before 1.8 with a ustar prefix there, when it is no number.
     */
    private TarTime gnuTime(int offset) {
        if (block[offset] == 0) {
            return null;
        }
        try {
            return TarTime.ofSeconds(number(offset, 12, "time"));
        } catch (LayerException e) {
            return null;
        }
    }

    /**
     * The format Go's {@code readHeader} gives the current block: ustar and PAX for the POSIX magic when the block
     * is all ASCII and its numbers end in NUL, GNU for GNU's magic, none for others (V7, star, or a block no writer
     * of the standard would make).
     */
    private int blockFormat() {
        magic = V7;
        if (Arrays.equals(block, 257, 263, USTAR_MAGIC, 0, USTAR_MAGIC.length)) {
            magic = Arrays.equals(block, 508, 512, STAR_TRAILER, 0, STAR_TRAILER.length) ? STAR : USTAR;
        } else if (Arrays.equals(block, 257, 265, GNU_MAGIC, 0, GNU_MAGIC.length)) {
            magic = GNU;
        }
        if (magic == STAR) {
            return TarHeader.UNKNOWN;
        }
        if (magic == USTAR) {
            if (highBytes || block[148] < 0 || block[149] < 0 || block[150] < 0 || block[151] < 0
                    || block[152] < 0 || block[153] < 0 || block[154] < 0 || block[155] < 0) {
                return TarHeader.UNKNOWN;
            }
            if (block[124 + 11] != 0 || block[100 + 7] != 0 || block[108 + 7] != 0 || block[116 + 7] != 0
                    || block[136 + 11] != 0 || block[329 + 7] != 0 || block[337 + 7] != 0) {
                return TarHeader.UNKNOWN;
            }
            return TarHeader.USTAR | TarHeader.PAX;
        }
        return magic == GNU ? TarHeader.GNU : TarHeader.UNKNOWN;
    }

    /** The entry of {@code h}, refused when it cannot be applied faithfully. */
    private TarEntry entry(TarHeader h, Map<String, String> pax, boolean ascii) throws LayerException {
        String name = ascii ? h.name() : TarHeader.text(h.name());
        String link = ascii ? h.linkName() : TarHeader.text(h.linkName());
        long size = h.size();
        if (h.uid() < 0 || h.gid() < 0 || size < 0) {
            throw new LayerException("negative uid, gid or size in tar entry " + name);
        }
        TarEntryType kind = switch (h.typeflag()) {
            case '0', '7' -> TarEntryType.REGULAR;
            case '1' -> TarEntryType.HARDLINK;
            case '2' -> TarEntryType.SYMLINK;
            case '3' -> TarEntryType.CHAR_DEVICE;
            case '4' -> TarEntryType.BLOCK_DEVICE;
            case '5' -> TarEntryType.DIRECTORY;
            case '6' -> TarEntryType.FIFO;
            default -> throw new LayerException("unsupported tar entry type '" + printable(h.typeflag()) + "'"
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
            devMajor = h.devMajor();
            devMinor = h.devMinor();
            if (devMajor < 0 || devMinor < 0) {
                throw new LayerException("negative device number in tar entry " + name);
            }
        }
        Map<String, byte[]> xattrs = Map.of();
        for (Map.Entry<String, String> record : pax.entrySet()) {
            String k = record.getKey();
            if (k.startsWith("SCHILY.xattr.") && k.length() > "SCHILY.xattr.".length()) {
                if (xattrs.isEmpty()) {
                    xattrs = new HashMap<>();
                }
                xattrs.put(TarHeader.text(k.substring("SCHILY.xattr.".length())),
                        record.getValue().getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        long contentSize = kind == TarEntryType.REGULAR ? size : 0;
        TarEntry e = new TarEntry(name, kind, (int) (h.mode() & 07777), h.uid(), h.gid(), contentSize,
                h.mtime().seconds(), link, devMajor, devMinor, xattrs);
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
        // The sums differ by 256 for each byte of 0x80 or more: Go's reader's test for a non-ASCII block, free.
        highBytes = unsigned != signed;
    }

    private void parsePax(byte[] data, Map<String, String> pax) throws LayerException {
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
            // Bytes as chars (TarHeader's strings): keys and values pass through as they are.
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.ISO_8859_1);
            pax.put(key, new String(data, eq + 1, end - eq - 1, StandardCharsets.ISO_8859_1));
            pos = end + 1;
        }
    }

    /** A PAX record's number; {@code name} is the entry's, for the message. */
    private static long paxNumber(String v, String key, String name) throws LayerException {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new LayerException("malformed PAX " + key + " value '" + v + "' in tar entry " + TarHeader.text(name));
        }
    }

    /** A PAX record's time; {@code name} is the entry's, for the message. */
    private static TarTime paxTime(String v, String key, String name) throws LayerException {
        try {
            return TarTime.parsePax(v);
        } catch (NumberFormatException e) {
            throw new LayerException("malformed PAX " + key + " value '" + v + "' in tar entry " + TarHeader.text(name));
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

    /** The field up to its first NUL, bytes as chars. */
    private String latin1(int offset, int width) {
        if (block[offset] == 0) {
            // Most user and group names, link targets and prefixes.
            return "";
        }
        int end = offset;
        while (end < offset + width && block[end] != 0) {
            end++;
        }
        return new String(block, offset, end - offset, StandardCharsets.ISO_8859_1);
    }

    private static String cString(byte[] data) {
        int end = 0;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, 0, end, StandardCharsets.ISO_8859_1);
    }

    private String after() {
        return previous == null ? "" : " (after entry " + previous + ")";
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
