package dev.wharf.context.checksum;

import dev.wharf.context.walk.FileStat;
import dev.wharf.context.walk.FileType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import dev.wharf.context.walk.ContextWalker;
import java.util.TreeMap;

/**
 * The header record BuildKit hashes before a file's content (cache/contenthash/filehash.go {@code NewFromStat} and
 * tarsum.go {@code v1TarHeaderSelect}): the fields of a tar header built by Go's {@code tar.FileInfoHeader}, each
 * written as key then value, without separators. Stateless.
 *
 * <p>Included, in this order: name (always empty: the name goes into the parent directory's record), mode
 * (permissions plus setuid/setgid/sticky, no type bits), uid, gid, size (regular files only), typeflag, linkname
 * (symlinks only), uname and gname (empty: the stat is not a syscall.Stat_t so Go looks nothing up), devmajor and
 * devminor, then the selected xattrs sorted by name. Left out: mtime (v1 drops it), atime, ctime.
 */
final class TarsumHeader {

    private TarsumHeader() {
    }

    /**
     * The header bytes for {@code stat}.
     *
     * @param xattrs extended attributes by full name ({@code user.foo}); filtered here
     * @param resetOwner write uid and gid 0, as BuildKit's client does for local contexts (client/solve.go
     *                   {@code resetUIDAndGID})
     */
    static byte[] of(FileStat stat, Map<String, byte[]> xattrs, boolean resetOwner) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        FileType type = stat.type();
        // Go's tar.FileInfoHeader: Mode = fm.Perm() | c_ISUID | c_ISGID | c_ISVTX; BuildKit forces 0777 on links.
        int mode = stat.mode() & 07777;
        if (type == FileType.SYMLINK) {
            mode |= 0777;
        }
        // NewFromStat clears os.ModeSocket before FileInfoHeader, so a socket is hashed as an empty regular file.
        boolean regular = type == FileType.REGULAR || type == FileType.SOCKET;
        // Each field is its key then its value; the constant parts are precomputed (one header per file hashed).
        out.writeBytes(NAME_MODE);
        decimal(out, mode);
        out.writeBytes(UID);
        decimal(out, resetOwner ? 0 : Integer.toUnsignedLong(stat.uid()));
        out.writeBytes(GID);
        decimal(out, resetOwner ? 0 : Integer.toUnsignedLong(stat.gid()));
        out.writeBytes(SIZE);
        decimal(out, regular ? stat.size() : 0);
        out.writeBytes(TYPEFLAG);
        out.write(typeflag(type));
        out.writeBytes(LINKNAME);
        if (type == FileType.SYMLINK) {
            out.writeBytes(stat.linkTarget().getBytes(StandardCharsets.UTF_8));
        }
        // uname and gname are empty. filehash_unix.go setUnixOpt tests "s.Mode&S_IFLNK == 0", and S_IFLNK shares a
        // bit with S_IFCHR and S_IFBLK, so device numbers are never recorded: both are always 0.
        out.writeBytes(NAMES_DEVICES);
        if (xattrs.isEmpty()) {
            return out.toByteArray();
        }
        TreeMap<String, byte[]> sorted = new TreeMap<>(ContextWalker::compareUtf8); // Go sorts names by bytes
        sorted.putAll(xattrs);
        for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
            String k = e.getKey();
            if (k.equals("security.capability") || !k.startsWith("security.") && !k.startsWith("system.")) {
                out.writeBytes(k.getBytes(StandardCharsets.UTF_8));
                out.writeBytes(e.getValue());
            }
        }
        return out.toByteArray();
    }

    private static final byte[] NAME_MODE = ascii("name" + "mode");
    private static final byte[] UID = ascii("uid");
    private static final byte[] GID = ascii("gid");
    private static final byte[] SIZE = ascii("size");
    private static final byte[] TYPEFLAG = ascii("typeflag");
    private static final byte[] LINKNAME = ascii("linkname");
    private static final byte[] NAMES_DEVICES = ascii("uname" + "gname" + "devmajor0" + "devminor0");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes non-negative {@code v} in decimal, as Go's strconv.FormatInt does. */
    private static void decimal(ByteArrayOutputStream out, long v) {
        if (v < 10) {
            out.write('0' + (int) v);
            return;
        }
        byte[] digits = new byte[20];
        int at = digits.length;
        for (long x = v; x > 0; x /= 10) {
            digits[--at] = (byte) ('0' + (int) (x % 10));
        }
        out.write(digits, at, digits.length - at);
    }

    private static char typeflag(FileType type) {
        return switch (type) {
            case REGULAR, SOCKET -> '0';
            case DIRECTORY -> '5';
            case SYMLINK -> '2';
            case CHAR_DEVICE -> '3';
            case BLOCK_DEVICE -> '4';
            case FIFO -> '6';
        };
    }
}
