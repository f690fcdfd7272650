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
        field(out, "name", "");
        field(out, "mode", Long.toString(mode));
        field(out, "uid", Long.toString(resetOwner ? 0 : Integer.toUnsignedLong(stat.uid())));
        field(out, "gid", Long.toString(resetOwner ? 0 : Integer.toUnsignedLong(stat.gid())));
        field(out, "size", Long.toString(regular ? stat.size() : 0));
        field(out, "typeflag", String.valueOf(typeflag(type)));
        field(out, "linkname", type == FileType.SYMLINK ? stat.linkTarget() : "");
        field(out, "uname", "");
        field(out, "gname", "");
        // filehash_unix.go setUnixOpt tests "s.Mode&S_IFLNK == 0", and S_IFLNK shares a bit with S_IFCHR and
        // S_IFBLK, so device numbers are never recorded: both are always 0.
        field(out, "devmajor", "0");
        field(out, "devminor", "0");
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

    private static void field(ByteArrayOutputStream out, String key, String value) {
        out.writeBytes(key.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
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
