package dev.wharf.builder.differential;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The header bytes of every entry of a layer tar, for a case that compares them byte by byte: per entry its PAX
 * block's header and records when it has one, then its own header, with the mtime field and the checksum (which
 * covers the mtime) blanked, each side dating what it writes when it writes it. Whiteouts are left out (their
 * metadata is each differ's own: {@code LayerWriter}). Keys are the normalised paths of {@link ImageSnapshot}.
 * Stateless.
 */
final class RawHeaders {
    private static final int BLOCK = 512;

    private RawHeaders() {
    }

    /** The headers of the uncompressed tar {@code tar}, by path, in the tar's order. */
    static Map<String, String> of(byte[] tar) {
        Map<String, String> out = new LinkedHashMap<>();
        StringBuilder pending = new StringBuilder();
        String paxPath = null;
        for (int off = 0; off + BLOCK <= tar.length; ) {
            if (isZero(tar, off)) {
                break;
            }
            long size = octal(tar, off + 124, 12);
            char type = (char) tar[off + 156];
            String header = blanked(tar, off);
            int dataBlocks = (int) ((size + BLOCK - 1) / BLOCK);
            if (type == 'x') {
                String records = new String(tar, off + BLOCK, (int) size, StandardCharsets.UTF_8);
                pending.append(header).append(" records=").append(records.replace("\n", "\\n")).append(' ');
                for (String record : records.split("\n")) {
                    int eq = record.indexOf('=');
                    int space = record.indexOf(' ');
                    if (space >= 0 && eq > space && record.substring(space + 1, eq).equals("path")) {
                        paxPath = record.substring(eq + 1);
                    }
                }
            } else {
                String name = paxPath != null ? paxPath : ustarName(tar, off);
                String path = ImageSnapshot.normalise(name);
                if (!path.substring(path.lastIndexOf('/') + 1).startsWith(".wh.")) {
                    out.put(path, pending.append(header).toString());
                }
                pending.setLength(0);
                paxPath = null;
            }
            // Links, devices, directories and fifos carry no data whatever their size field says.
            off += BLOCK + ("123456".indexOf(type) >= 0 ? 0 : dataBlocks * BLOCK);
        }
        return out;
    }

    /** The block as text (ISO-8859-1, NULs shown as {@code .}), mtime and checksum blanked. */
    private static String blanked(byte[] tar, int off) {
        byte[] h = java.util.Arrays.copyOfRange(tar, off, off + BLOCK);
        for (int i = 136; i < 156; i++) {
            h[i] = '#';
        }
        return new String(h, StandardCharsets.ISO_8859_1).replace('\0', '.');
    }

    private static String ustarName(byte[] tar, int off) {
        String name = cString(tar, off, 100);
        String prefix = cString(tar, off + 345, 155);
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] tar, int off, int length) {
        int end = off;
        while (end < off + length && tar[end] != 0) {
            end++;
        }
        return new String(tar, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] tar, int off, int length) {
        long value = 0;
        for (int i = off; i < off + length && tar[i] >= '0' && tar[i] <= '7'; i++) {
            value = value * 8 + (tar[i] - '0');
        }
        return value;
    }

    private static boolean isZero(byte[] tar, int off) {
        for (int i = off; i < off + BLOCK; i++) {
            if (tar[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
