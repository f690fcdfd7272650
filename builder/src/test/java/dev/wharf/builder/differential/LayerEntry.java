package dev.wharf.builder.differential;

import java.util.Map;

/**
 * What the comparison looks at in one tar entry of a layer: everything but the mtime, of which only its presence
 * (non-zero) counts. Immutable.
 *
 * @param type       the tar type flag
 * @param mode       permission bits (07777)
 * @param uid        owner
 * @param gid        group
 * @param size       content size
 * @param sha256     content digest of regular files, empty otherwise
 * @param linkName   symlink target or hardlink target (normalised like names)
 * @param xattrs     extended attributes, values as text
 * @param hasMtime   whether the entry has a non-zero mtime
 */
record LayerEntry(char type, int mode, long uid, long gid, long size, String sha256, String linkName,
        Map<String, String> xattrs, boolean hasMtime) {
    LayerEntry {
        xattrs = Map.copyOf(xattrs);
    }

    @Override
    public String toString() {
        return "type=" + type + " mode=" + Integer.toOctalString(mode) + " owner=" + uid + ":" + gid + " size=" + size
                + (sha256.isEmpty() ? "" : " sha256=" + sha256.substring(0, 12)) + (linkName.isEmpty() ? ""
                : " link=" + linkName) + (xattrs.isEmpty() ? "" : " xattrs=" + xattrs) + (hasMtime ? "" : " mtime=0");
    }
}
