package dev.wharf.context.walk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A cursor over the record stream of {@code wharf-scan} ({@link NativeTreeScan}): read in place, one record at a
 * time, without an object per record. {@link #next} moves to the next record and tells its kind: an
 * {@link #ENTRY} (what lstat says about one name of the directory entered last), the {@link #END} of that directory
 * (with the fingerprint of its subtree), or a {@link #FAILURE}. Entries come in {@link ContextWalker}'s order: a
 * directory's entries by name in byte order, a subdirectory's entries and END right after its own entry; the root's
 * END comes last. Not thread-safe (a cursor).
 */
public final class ScanRecords {

    /** One entry: name, lstat fields, symlink target. */
    public static final byte ENTRY = 'F';
    /** The end of the directory entered last: its subtree's fingerprint and newest time. */
    public static final byte END = 'U';
    /** A failure the Java walk must report instead. */
    public static final byte FAILURE = 'X';
    /** No more records. */
    public static final byte DONE = 'Z';

    private static final int HEADER = 69;

    private final byte[] bytes;
    private final ByteBuffer b;
    private int at;
    private int next;

    private ScanRecords(byte[] bytes) {
        this.bytes = bytes;
        this.b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        this.next = 4;
    }

    /** The records of a complete stream (its magic first, its DONE last), or empty for anything else. */
    static Optional<ScanRecords> parse(byte[] out) {
        if (out.length < 5 || out[0] != 'W' || out[1] != 'S' || out[2] != 'C' || out[3] != '1'
                || out[out.length - 1] != DONE) {
            return Optional.empty();
        }
        return Optional.of(new ScanRecords(out));
    }

    /**
     * Moves to the next record and returns its kind: {@link #ENTRY}, {@link #END}, {@link #FAILURE} or, past the
     * last, {@link #DONE}.
     *
     * @throws IllegalStateException when the stream is malformed
     */
    public byte next() {
        at = next;
        if (at >= bytes.length) {
            throw new IllegalStateException("wharf-scan stream ends without its end mark");
        }
        byte tag = bytes[at];
        switch (tag) {
            case ENTRY -> next = at + HEADER + (b.getShort(at + 1) & 0xffff) + (b.getShort(at + 3) & 0xffff);
            case END -> next = at + 25;
            case FAILURE -> next = at + 7 + (b.getShort(at + 5) & 0xffff);
            case DONE -> next = at + 1;
            default -> throw new IllegalStateException("wharf-scan stream has an unknown record " + tag + " at " + at);
        }
        if (next > bytes.length) {
            throw new IllegalStateException("wharf-scan stream is truncated at " + at);
        }
        return tag;
    }

    /** The stream's bytes, where {@link #nameOffset} and {@link #linkOffset} point (not a copy: read-only). */
    public byte[] bytes() {
        return bytes;
    }

    public int nameOffset() {
        return at + HEADER;
    }

    public int nameLength() {
        return b.getShort(at + 1) & 0xffff;
    }

    public int linkOffset() {
        return at + HEADER + nameLength();
    }

    public int linkLength() {
        return b.getShort(at + 3) & 0xffff;
    }

    /** Full {@code st_mode}. */
    public int mode() {
        return b.getInt(at + 5);
    }

    public int uid() {
        return b.getInt(at + 9);
    }

    public int gid() {
        return b.getInt(at + 13);
    }

    public int nlink() {
        return b.getInt(at + 17);
    }

    public long size() {
        return b.getLong(at + 21);
    }

    public long mtimeNanos() {
        return b.getLong(at + 29);
    }

    public long ctimeNanos() {
        return b.getLong(at + 37);
    }

    public long inode() {
        return b.getLong(at + 45);
    }

    public long device() {
        return b.getLong(at + 53);
    }

    public long rdev() {
        return b.getLong(at + 61);
    }

    /** Of an {@link #END}: the first half of the subtree's 128-bit fingerprint. */
    public long fingerprint0() {
        return b.getLong(at + 1);
    }

    /** Of an {@link #END}: the second half of the subtree's fingerprint. */
    public long fingerprint1() {
        return b.getLong(at + 9);
    }

    /** Of an {@link #END}: the greatest mtime or ctime in the subtree, in nanoseconds. */
    public long newestNanos() {
        return b.getLong(at + 17);
    }
}
