package dev.wharf.layers.tar;

import dev.wharf.layers.LayerException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes a {@link TarHeader} into the blocks Go's {@code archive/tar} {@code Writer.WriteHeader} writes for it:
 * the format chosen as {@code Header.allowedFormats} chooses it (ustar when every field fits, else PAX, else GNU,
 * within the format the header asks for), then a PAX extended header or GNU long names before the entry's own
 * header block. BuildKit's layers go through that writer twice: containerd's differ writes each file with
 * {@code Format: PAX} (so ustar whenever it can, PAX otherwise, never GNU), and the rewrite of times under
 * {@code SOURCE_DATE_EPOCH} writes back each header as read, in the format read.
 *
 * <p>The points that matter beyond "does the field fit": a name longer than 100 bytes that splits into ustar prefix
 * and name gets the split only in a ustar header; once the entry needs PAX for anything else (an xattr, a large
 * ID, a long link target, a fraction of a second), the full name goes into a {@code path} record and the name field
 * holds its first 100 ASCII bytes, with no prefix. A record the header was read with stays when its value is the
 * field's (and always when it is no field's, as a vendor's record or an xattr). Stateless.
 */
final class GoHeaderWriter {
    static final int BLOCK = 512;
    private static final String GNU_LONG_NAME = "././@LongLink";
    /** The keys of records that mirror a header field, which are written only from the fields. */
    private static final List<String> BASIC_KEYS = List.of("path", "linkpath", "size", "uid", "gid", "uname",
            "gname", "mtime", "atime", "ctime");
    private static final byte[] USTAR_MAGIC = "ustar\u000000".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GNU_MAGIC = "ustar  \0".getBytes(StandardCharsets.US_ASCII);

    private GoHeaderWriter() {
    }

    /** What {@code allowedFormats} found: the formats that can encode the header and the records PAX needs. */
    private static final class Allowed {
        int format = TarHeader.USTAR | TarHeader.PAX | TarHeader.GNU;
        boolean preferPax;
        final TreeMap<String, String> pax = new TreeMap<>();
        final List<String> why = new ArrayList<>();

        void not(int f, String reason) {
            format &= ~f;
            why.add(reason);
        }
    }

    /**
     * Returns the header blocks of {@code header} with any PAX or GNU long-name data between them, to be followed
     * by {@link TarHeader#contentSize()} bytes of content.
     *
     * @throws LayerException when Go's writer refuses the header (no format can encode it)
     */
    static byte[] encode(TarHeader header) throws LayerException {
        TarHeader h = header;
        if (h.typeflag() == '\0') {
            h = retyped(h, h.name().endsWith("/") ? '5' : '0');
        }
        if (h.format() == TarHeader.UNKNOWN) {
            // Without a format Go rounds the time and drops the others: PAX only for what does not fit.
            h = h.withTimes(h.mtime().roundedToSecond(), null, null);
        }
        Allowed a = allowedFormats(h);
        ByteArrayOutputStream out = new ByteArrayOutputStream(BLOCK * 3);
        if ((a.format & TarHeader.USTAR) != 0) {
            writeUstar(h, out);
        } else if ((a.format & TarHeader.PAX) != 0) {
            writePax(h, a.pax, out);
        } else if ((a.format & TarHeader.GNU) != 0) {
            writeGnu(h, out);
        } else {
            throw new LayerException("cannot encode the tar header of " + TarHeader.text(h.name()) + ": "
                    + String.join("; and ", a.why));
        }
        return out.toByteArray();
    }

    private static TarHeader retyped(TarHeader h, char type) {
        return new TarHeader(type, h.name(), h.linkName(), h.size(), h.mode(), h.uid(), h.gid(), h.uname(),
                h.gname(), h.mtime(), h.atime(), h.ctime(), h.devMajor(), h.devMinor(), h.paxRecords(), h.format());
    }

    private static Allowed allowedFormats(TarHeader h) throws LayerException {
        Allowed a = new Allowed();
        Map<String, String> records = h.paxRecords();
        verifyString(a, records, h.name(), 100, "path");
        verifyString(a, records, h.linkName(), 100, "linkpath");
        verifyString(a, records, h.uname(), 32, "uname");
        verifyString(a, records, h.gname(), 32, "gname");
        verifyNumber(a, records, h.mode(), 8, null);
        verifyNumber(a, records, h.uid(), 8, "uid");
        verifyNumber(a, records, h.gid(), 8, "gid");
        verifyNumber(a, records, h.size(), 12, "size");
        verifyNumber(a, records, h.devMajor(), 8, null);
        verifyNumber(a, records, h.devMinor(), 8, null);
        verifyTime(a, records, h.mtime(), "mtime");
        verifyTime(a, records, h.atime(), "atime");
        verifyTime(a, records, h.ctime(), "ctime");
        char type = h.typeflag();
        boolean global = type == 'g';
        if ("0346S".indexOf(type) >= 0 && h.name().endsWith("/")) {
            throw new LayerException("cannot encode the tar header of " + TarHeader.text(h.name())
                    + ": filename may not have trailing slash");
        }
        if (type == 'x' || type == 'L' || type == 'K') {
            throw new LayerException("cannot write a tar header of type '" + type + "' as an entry");
        }
        if (global) {
            a.format &= TarHeader.PAX;
        }
        if (!h.headerOnly() && h.size() < 0) {
            throw new LayerException("negative size in the tar header of " + TarHeader.text(h.name()));
        }
        if (!records.isEmpty()) {
            for (Map.Entry<String, String> r : records.entrySet()) {
                String k = r.getKey();
                if (!a.pax.containsKey(k) && (global || !BASIC_KEYS.contains(k) && !k.startsWith("GNU.sparse."))) {
                    a.pax.put(k, r.getValue());
                }
            }
            a.format &= TarHeader.PAX;
        }
        for (Map.Entry<String, String> r : a.pax.entrySet()) {
            if (!validRecord(r.getKey(), r.getValue())) {
                throw new LayerException("invalid PAX record " + TarHeader.text(r.getKey()) + " in the tar header of "
                        + TarHeader.text(h.name()));
            }
        }
        if (h.format() != TarHeader.UNKNOWN) {
            int want = h.format();
            if ((want & TarHeader.PAX) != 0 && !a.preferPax) {
                // PAX implies ustar is fine too, unless a time needs PAX's precision.
                want |= TarHeader.USTAR;
            }
            a.format &= want;
        }
        return a;
    }

    private static void verifyString(Allowed a, Map<String, String> records, String s, int size, String key) {
        boolean tooLong = s.length() > size;
        boolean longGnu = key.equals("path") || key.equals("linkpath");
        if (s.indexOf('\0') >= 0 || tooLong && !longGnu) {
            a.not(TarHeader.GNU, "GNU cannot encode " + key);
        }
        if (!isAscii(s) || tooLong) {
            if (!key.equals("path") || ustarSplit(s) < 0) {
                a.not(TarHeader.USTAR, "USTAR cannot encode " + key);
            }
            a.pax.put(key, s);
        }
        if (records.containsKey(key) && s.equals(records.get(key))) {
            a.pax.put(key, s);
        }
    }

    private static void verifyNumber(Allowed a, Map<String, String> records, long n, int size, String key) {
        if (!fitsBase256(size, n)) {
            a.not(TarHeader.GNU, "GNU cannot encode " + (key == null ? "a number" : key) + "=" + n);
        }
        if (!fitsOctal(size, n)) {
            a.not(TarHeader.USTAR, "USTAR cannot encode " + (key == null ? "a number" : key) + "=" + n);
            if (key == null) {
                a.not(TarHeader.PAX, "PAX cannot encode a number=" + n);
            } else {
                a.pax.put(key, Long.toString(n));
            }
        }
        // Only a header read with records has any (one string per number and entry otherwise).
        if (key != null && records.containsKey(key) && Long.toString(n).equals(records.get(key))) {
            a.pax.put(key, Long.toString(n));
        }
    }

    private static void verifyTime(Allowed a, Map<String, String> records, TarTime ts, String key) {
        if (ts == null) {
            return;
        }
        if (!fitsBase256(12, ts.seconds())) {
            a.not(TarHeader.GNU, "GNU cannot encode " + key);
        }
        boolean mtime = key.equals("mtime");
        boolean fits = fitsOctal(12, ts.seconds());
        if (!mtime || !fits) {
            a.not(TarHeader.USTAR, "USTAR cannot encode " + key);
        }
        if (!mtime || !fits || ts.nanos() != 0) {
            a.preferPax = true;
            a.pax.put(key, ts.formatPax());
        }
        if (records.containsKey(key) && ts.formatPax().equals(records.get(key))) {
            a.pax.put(key, ts.formatPax());
        }
    }

    private static boolean validRecord(String k, String v) {
        if (k.isEmpty() || k.indexOf('=') >= 0) {
            return false;
        }
        return switch (k) {
            case "path", "linkpath", "uname", "gname" -> v.indexOf('\0') < 0;
            default -> k.indexOf('\0') < 0;
        };
    }

    private static void writeUstar(TarHeader h, ByteArrayOutputStream out) {
        String name = h.name();
        String prefix = "";
        int split = ustarSplit(name);
        if (split >= 0) {
            prefix = name.substring(0, split);
            name = name.substring(split + 1);
        }
        byte[] blk = template(h, name, h.linkName(), h.uname(), h.gname(), false);
        string(blk, 345, 155, prefix);
        finish(blk, TarHeader.USTAR);
        out.writeBytes(blk);
    }

    private static void writePax(TarHeader h, Map<String, String> pax, ByteArrayOutputStream out) {
        boolean global = h.typeflag() == 'g';
        if (!pax.isEmpty() || global) {
            StringBuilder data = new StringBuilder();
            for (Map.Entry<String, String> r : pax.entrySet()) {
                data.append(record(r.getKey(), r.getValue()));
            }
            String name;
            if (global) {
                name = h.name().isEmpty() ? "GlobalHead.0.0" : h.name();
            } else {
                int slash = h.name().lastIndexOf('/');
                name = GoPaths.join(h.name().substring(0, slash + 1), "PaxHeaders.0", h.name().substring(slash + 1));
            }
            rawFile(name, data.toString(), global ? 'g' : 'x', TarHeader.PAX, out);
            if (global) {
                return;
            }
        }
        byte[] blk = template(h, toAscii(h.name()), toAscii(h.linkName()), toAscii(h.uname()), toAscii(h.gname()),
                false);
        finish(blk, TarHeader.PAX);
        out.writeBytes(blk);
    }

    private static void writeGnu(TarHeader h, ByteArrayOutputStream out) {
        if (h.name().length() > 100) {
            rawFile(GNU_LONG_NAME, h.name() + "\0", 'L', TarHeader.GNU, out);
        }
        if (h.linkName().length() > 100) {
            rawFile(GNU_LONG_NAME, h.linkName() + "\0", 'K', TarHeader.GNU, out);
        }
        byte[] blk = template(h, h.name(), h.linkName(), h.uname(), h.gname(), true);
        if (h.atime() != null) {
            numeric(blk, 345, 12, h.atime().seconds());
        }
        if (h.ctime() != null) {
            numeric(blk, 357, 12, h.ctime().seconds());
        }
        finish(blk, TarHeader.GNU);
        out.writeBytes(blk);
    }

    /** Go's {@code templateV7Plus}: the fields every format shares, numbers in octal or (GNU) base-256. */
    private static byte[] template(TarHeader h, String name, String link, String uname, String gname, boolean gnu) {
        byte[] blk = new byte[BLOCK];
        blk[156] = (byte) h.typeflag();
        string(blk, 0, 100, name);
        string(blk, 157, 100, link);
        number(blk, 100, 8, h.mode(), gnu);
        number(blk, 108, 8, h.uid(), gnu);
        number(blk, 116, 8, h.gid(), gnu);
        number(blk, 124, 12, h.size(), gnu);
        number(blk, 136, 12, h.mtime().seconds(), gnu);
        string(blk, 265, 32, uname);
        string(blk, 297, 32, gname);
        number(blk, 329, 8, h.devMajor(), gnu);
        number(blk, 337, 8, h.devMinor(), gnu);
        return blk;
    }

    /** Go's {@code writeRawFile}: a minimal header (all numbers 0 but the size) and its data. */
    private static void rawFile(String name, String data, char flag, int format, ByteArrayOutputStream out) {
        String n = toAscii(name);
        if (n.length() > 100) {
            n = n.substring(0, 100);
        }
        int end = n.length();
        while (end > 0 && n.charAt(end - 1) == '/') {
            end--;
        }
        byte[] blk = new byte[BLOCK];
        blk[156] = (byte) flag;
        string(blk, 0, 100, n.substring(0, end));
        octal(blk, 100, 8, 0);
        octal(blk, 108, 8, 0);
        octal(blk, 116, 8, 0);
        octal(blk, 124, 12, data.length());
        octal(blk, 136, 12, 0);
        finish(blk, format);
        out.writeBytes(blk);
        byte[] bytes = data.getBytes(StandardCharsets.ISO_8859_1);
        out.writeBytes(bytes);
        int rest = bytes.length % BLOCK;
        if (rest != 0) {
            out.writeBytes(new byte[BLOCK - rest]);
        }
    }

    /** Go's {@code setFormat}: the magic, then the checksum (six octal digits, NUL, space). */
    private static void finish(byte[] blk, int format) {
        byte[] magic = format == TarHeader.GNU ? GNU_MAGIC : USTAR_MAGIC;
        System.arraycopy(magic, 0, blk, 257, magic.length);
        // The checksum field counts as spaces; two loops without a branch on the index (run for every header).
        long sum = 8 * ' ';
        for (int i = 0; i < 148; i++) {
            sum += blk[i] & 0xff;
        }
        for (int i = 156; i < BLOCK; i++) {
            sum += blk[i] & 0xff;
        }
        octal(blk, 148, 7, sum);
        blk[155] = ' ';
    }

    /** Go's {@code formatPAXRecord}: "LEN KEY=VALUE\n", LEN counting itself. */
    static String record(String k, String v) {
        int size = k.length() + v.length() + 3;
        size += Integer.toString(size).length();
        String rec = size + " " + k + "=" + v + "\n";
        if (rec.length() != size) {
            rec = rec.length() + " " + k + "=" + v + "\n";
        }
        return rec;
    }

    /**
     * Go's {@code formatString}: the bytes, cut to the field, NUL-terminated when shorter; a cut ending in a slash
     * gets a NUL over the first of the slashes it ends in (some readers take such a field for a directory).
     */
    private static void string(byte[] blk, int offset, int size, String s) {
        int n = Math.min(s.length(), size);
        for (int i = 0; i < n; i++) {
            blk[offset + i] = (byte) s.charAt(i);
        }
        if (s.length() < size) {
            blk[offset + s.length()] = 0;
        }
        if (s.length() > size && blk[offset + size - 1] == '/') {
            int end = size;
            while (end > 0 && s.charAt(end - 1) == '/') {
                end--;
            }
            blk[offset + end] = 0;
        }
    }

    private static void number(byte[] blk, int offset, int size, long x, boolean gnu) {
        if (gnu && !fitsOctal(size, x) && fitsBase256(size, x)) {
            long v = x;
            for (int i = size - 1; i >= 0; i--) {
                blk[offset + i] = (byte) v;
                v >>= 8;
            }
            blk[offset] |= (byte) 0x80;
            return;
        }
        // Go's last resort for a number that fits nowhere (the format chosen has it elsewhere): zero.
        octal(blk, offset, size, fitsOctal(size, x) ? x : 0);
    }

    private static void numeric(byte[] blk, int offset, int size, long x) {
        number(blk, offset, size, x, true);
    }

    /**
     * Zero-padded octal in {@code size - 1} digits and a NUL ({@code value} fits), digit by digit from the right:
     * no string per field.
     */
    private static void octal(byte[] blk, int offset, int size, long value) {
        int end = offset + size - 1;
        blk[end] = 0;
        long rest = value;
        for (int i = end - 1; i >= offset; i--) {
            blk[i] = (byte) ('0' + (rest & 7));
            rest >>>= 3;
        }
    }

    static boolean fitsOctal(int size, long x) {
        int bits = (size - 1) * 3;
        return x >= 0 && (size >= 22 || x < 1L << bits);
    }

    private static boolean fitsBase256(int size, long x) {
        int bits = (size - 1) * 8;
        return size >= 9 || x >= -(1L << bits) && x < 1L << bits;
    }

    /**
     * Go's {@code splitUSTARPath}: the index of the slash that splits an ASCII name longer than 100 bytes into a
     * prefix of at most 155 and a name of at most 100 (the last such slash within the first 156 bytes), or -1.
     */
    static int ustarSplit(String name) {
        int length = name.length();
        if (length <= 100 || !isAscii(name)) {
            return -1;
        }
        if (length > 156) {
            length = 156;
        } else if (name.charAt(length - 1) == '/') {
            length--;
        }
        int i = name.lastIndexOf('/', length - 1);
        int nlen = name.length() - i - 1;
        if (i <= 0 || nlen > 100 || nlen == 0 || i > 155) {
            return -1;
        }
        return i;
    }

    /** Go's {@code isASCII}: no byte of 0x80 or more, no NUL. */
    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || c == 0) {
                return false;
            }
        }
        return true;
    }

    /** Go's {@code toASCII}: the bytes below 0x80 but NUL. */
    static String toAscii(String s) {
        if (isAscii(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80 && c != 0) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
