package dev.wharf.context.checksum;

import dev.wharf.context.walk.FileStat;
import dev.wharf.context.walk.ScanRecords;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds {@link SnapshotRows} from a native scan's records ({@link ScanRecords}): one call per record, so that a
 * fresh JVM compiles the per-entry work after a few hundred entries instead of interpreting a long loop until its
 * on-stack replacement. Keeps the keys of the directories being filled and their fingerprint slots. Not
 * thread-safe (one per scan).
 */
final class NativeRows {

    /** The charset in which the JVM decodes file names (java.nio and the Java walk alike). */
    private static final Charset FILE_NAMES = fileNames();

    private final SnapshotRows rows = new SnapshotRows();
    private byte[][] keys = new byte[16][];
    private int[] slots = new int[16];
    private int depth;

    NativeRows(FileStat rootStat) {
        rows.add(new byte[0], ContextSnapshot.Kind.DIR, rootStat);
        rows.add(new byte[] {0}, ContextSnapshot.Kind.DIR_HEADER, rootStat);
        keys[0] = new byte[0];
        slots[0] = rows.reserveFingerprint(0);
    }

    /** Adds the entry at the cursor; false when it is out of key order. */
    boolean entry(ScanRecords r) {
        byte[] bytes = r.bytes();
        byte[] k = childKey(keys[depth], bytes, r.nameOffset(), r.nameLength());
        if (rows.compareLast(k) <= 0) {
            return false;
        }
        int mode = r.mode();
        int type = mode & 0170000;
        int uid = r.uid();
        int gid = r.gid();
        int nlink = r.nlink();
        long size = r.size();
        long mtime = r.mtimeNanos();
        long ctime = r.ctimeNanos();
        long inode = r.inode();
        long device = r.device();
        long rdev = r.rdev();
        if (type == 0040000) {
            rows.add(k, ContextSnapshot.Kind.DIR, mode, uid, gid, nlink, size, mtime, ctime, inode, device, rdev,
                    null);
            rows.add(ContextSnapshot.withNul(k), ContextSnapshot.Kind.DIR_HEADER, mode, uid, gid, nlink, size,
                    mtime, ctime, inode, device, rdev, null);
            if (++depth == keys.length) {
                keys = Arrays.copyOf(keys, depth * 2);
                slots = Arrays.copyOf(slots, depth * 2);
            }
            keys[depth] = k;
            slots[depth] = rows.reserveFingerprint(rows.size() - 2);
        } else if (type == 0120000) {
            byte[] target = r.linkLength() == 0 ? null : utf8(bytes, r.linkOffset(), r.linkLength());
            rows.add(k, ContextSnapshot.Kind.SYMLINK, mode, uid, gid, nlink, size, mtime, ctime, inode, device, rdev,
                    target);
        } else {
            rows.add(k, ContextSnapshot.Kind.FILE, mode, uid, gid, nlink, size, mtime, ctime, inode, device, rdev,
                    null);
        }
        return true;
    }

    /** Ends the directory filled last with its fingerprint; false when there is none open. */
    boolean end(ScanRecords r) {
        if (depth < 0) {
            return false;
        }
        rows.setFingerprint(slots[depth], r.fingerprint0(), r.fingerprint1(), r.newestNanos());
        depth--;
        return true;
    }

    /** The rows, or null when a directory was left open. */
    SnapshotRows done() {
        return depth == -1 ? rows : null;
    }

    /**
     * The key of entry {@code name} (raw bytes from the directory) of the directory with key {@code parent}: the
     * name's bytes as they are when ASCII, else decoded as the Java walk decodes file names and encoded as UTF-8,
     * so both walks give the same key.
     */
    private static byte[] childKey(byte[] parent, byte[] bytes, int off, int len) {
        byte[] k = new byte[parent.length + 1 + len];
        System.arraycopy(parent, 0, k, 0, parent.length);
        int p = parent.length + 1;
        for (int i = 0; i < len; i++) {
            byte c = bytes[off + i];
            if (c < 0) {
                byte[] name = utf8(bytes, off, len);
                k = Arrays.copyOf(k, parent.length + 1 + name.length);
                System.arraycopy(name, 0, k, parent.length + 1, name.length);
                return k;
            }
            k[p + i] = c;
        }
        return k;
    }

    /** Bytes from the file system as UTF-8: as they are when ASCII, else through the file-name charset. */
    private static byte[] utf8(byte[] bytes, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (bytes[i] < 0) {
                return new String(bytes, off, len, FILE_NAMES).getBytes(StandardCharsets.UTF_8);
            }
        }
        return Arrays.copyOfRange(bytes, off, off + len);
    }

    private static Charset fileNames() {
        String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
        return Charset.isSupported(encoding) ? Charset.forName(encoding) : StandardCharsets.UTF_8;
    }
}
