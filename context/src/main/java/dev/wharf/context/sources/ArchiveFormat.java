package dev.wharf.context.sources;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Recognises a context stream by its first bytes, as the docker CLI does (moby/go-archive {@code
 * DetectCompression} and {@code IsArchive}): gzip, bzip2, xz and zstd by their magic numbers, an uncompressed tar by
 * a first header whose checksum is right. Stateless and thread-safe. Public for ADD's local archives, which BuildKit
 * recognises the same way (solver/llbsolver/file/unpack.go {@code isArchivePath}).
 */
public enum ArchiveFormat {
    GZIP, BZIP2, XZ, ZSTD, TAR, NOT_AN_ARCHIVE;

    private static final int BLOCK = 512;
    private static final int BUFFER = 64 * 1024;

    /** The format of {@code in}, leaving the stream where it was; {@code in} must support a mark of 512 bytes. */
    public static ArchiveFormat detect(BufferedInputStream in) throws IOException {
        in.mark(BLOCK);
        byte[] head = in.readNBytes(BLOCK);
        in.reset();
        if (startsWith(head, 0x1f, 0x8b, 0x08)) {
            return GZIP;
        }
        if (startsWith(head, 'B', 'Z', 'h')) {
            return BZIP2;
        }
        if (startsWith(head, 0xfd, '7', 'z', 'X', 'Z', 0x00)) {
            return XZ;
        }
        if (startsWith(head, 0x28, 0xb5, 0x2f, 0xfd)) {
            return ZSTD;
        }
        return isTarHeader(head) ? TAR : NOT_AN_ARCHIVE;
    }

    /** The uncompressed content of {@code in} for a compressed format, {@code in} itself otherwise. */
    public InputStream decompress(BufferedInputStream in) throws IOException {
        return switch (this) {
            case GZIP -> new GZIPInputStream(in, BUFFER);
            case BZIP2 -> new BZip2CompressorInputStream(in, true);
            case XZ -> new XZCompressorInputStream(in, true);
            case ZSTD -> new ZstdInputStream(in);
            case TAR, NOT_AN_ARCHIVE -> in;
        };
    }

    /**
     * Go's tar reader accepts a first block when it is not all zeros (that is an empty archive, io.EOF, which
     * IsArchive treats as "not an archive") and its checksum field matches the unsigned or the signed byte sum.
     */
    public static boolean isTarHeader(byte[] head) {
        if (head.length < BLOCK) {
            return false;
        }
        String field = new String(head, 148, 8, StandardCharsets.ISO_8859_1).replace('\0', ' ').trim();
        if (field.isEmpty() || !field.chars().allMatch(c -> c >= '0' && c <= '7')) {
            return false;
        }
        long want = Long.parseLong(field, 8);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : head[i];
            unsigned += b & 0xff;
            signed += (byte) b;
        }
        return want == unsigned || want == signed;
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
