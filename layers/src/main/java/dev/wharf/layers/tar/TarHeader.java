package dev.wharf.layers.tar;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A tar header as Go's {@code archive/tar} reads and writes it ({@code tar.Header}): every field the header and its
 * PAX records carry, its PAX records themselves, and the format the reader took it for. BuildKit's rewrite of layer
 * times reads each header into this, changes the times and writes it back ({@code util/converter/tarconverter}), so a
 * header keeps what it had only as far as this holds it; {@link GoHeaderWriter} writes one as Go's writer does.
 *
 * <p>Every string holds bytes, one char per byte (ISO-8859-1), as Go's strings do: a name that is no valid UTF-8 or
 * a binary xattr passes through unchanged. {@link #bytes} and {@link #text} convert. An immutable value; the record
 * map is an unmodifiable copy.
 *
 * @param typeflag the type flag byte ({@code '0'}, {@code '5'}, {@code 'g'} for a PAX global header, ...)
 * @param name the entry's name (a PAX {@code path}, a GNU long name or ustar prefix and name)
 * @param linkName the link target
 * @param size the size field, also of a type that has no content
 * @param mode the mode field as it is, type bits that some writers add included
 * @param uid the owner's user ID
 * @param gid the owner's group ID
 * @param uname the owner's user name
 * @param gname the owner's group name
 * @param mtime the modification time
 * @param atime the access time, null when there is none
 * @param ctime the change time, null when there is none
 * @param devMajor the device major number field
 * @param devMinor the device minor number field
 * @param paxRecords the PAX records read with the header (all of them, as {@code Header.PAXRecords}), or those
 *        to write besides the ones the fields need
 * @param format the formats the reader took the header for ({@link #USTAR}, {@link #PAX}, {@link #GNU} or'ed),
 *        {@link #UNKNOWN} when it could not tell
 */
public record TarHeader(char typeflag, String name, String linkName, long size, long mode, long uid, long gid,
        String uname, String gname, TarTime mtime, TarTime atime, TarTime ctime, long devMajor, long devMinor,
        Map<String, String> paxRecords, int format) {
    /** No format known: Go's writer then rounds the time and drops atime and ctime. */
    public static final int UNKNOWN = 0;
    /** POSIX ustar. */
    public static final int USTAR = 2;
    /** POSIX ustar with PAX records. */
    public static final int PAX = 4;
    /** GNU tar's format. */
    public static final int GNU = 8;

    /** Validates and copies. */
    public TarHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(linkName, "linkName");
        Objects.requireNonNull(uname, "uname");
        Objects.requireNonNull(gname, "gname");
        Objects.requireNonNull(mtime, "mtime");
        paxRecords = paxRecords.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(paxRecords));
    }

    /** The bytes of {@code text} in UTF-8, one char per byte, as the fields hold them. */
    public static String bytes(String text) {
        if (isAscii(text)) {
            // Most names: the same chars either way, no copy (the reader and writer call this per entry).
            return text;
        }
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** The text whose UTF-8 bytes {@code bytes} (one char per byte) holds. */
    public static String text(String bytes) {
        if (isAscii(bytes)) {
            return bytes;
        }
        return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Whether entries of this type have no content whatever the size field says (Go's {@code isHeaderOnlyType}). */
    public boolean headerOnly() {
        return "123456".indexOf(typeflag) >= 0;
    }

    /** The number of content bytes that follow the header in the archive. */
    public long contentSize() {
        return headerOnly() || typeflag == 'g' ? 0 : size;
    }

    /** A copy with other times (null: none). */
    public TarHeader withTimes(TarTime newMtime, TarTime newAtime, TarTime newCtime) {
        return new TarHeader(typeflag, name, linkName, size, mode, uid, gid, uname, gname, newMtime, newAtime,
                newCtime, devMajor, devMinor, paxRecords, format);
    }
}
