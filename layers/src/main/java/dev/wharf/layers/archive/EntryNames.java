package dev.wharf.layers.archive;

import dev.wharf.layers.LayerException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Cleans and checks the names of entries in image archives ({@code docker save} tarballs, OCI archives): the names
 * must stay inside the archive, since they are later used as relative paths.
 *
 * <p>Stateless and thread-safe. Docker's {@code image/tarexport} resolves every path of {@code manifest.json} with
 * {@code safePath} (which refuses anything that escapes the extraction directory); this class plays that role for
 * entry names, symlink targets and the paths {@code manifest.json} gives.
 */
final class EntryNames {
    private EntryNames() {
    }

    /**
     * Returns the clean form of an entry name: no leading {@code ./}, no trailing {@code /}, no empty or {@code .}
     * components; the archive root itself cleans to {@code ""}.
     *
     * @param what names the archive and the role of the name for the error message
     * @throws LayerException if the name is absolute, contains NUL or a {@code ..} component
     */
    static String clean(String name, String what) throws LayerException {
        if (name.indexOf('\0') >= 0) {
            throw new LayerException(what + ": the name " + quote(name) + " contains a NUL byte; the archive is "
                    + "malformed or hostile, refusing it");
        }
        if (name.startsWith("/")) {
            throw new LayerException(what + ": the name " + quote(name) + " is absolute; archive entries must be "
                    + "relative, refusing the archive");
        }
        StringBuilder out = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new LayerException(what + ": the name " + quote(name) + " contains \"..\" and could point "
                        + "outside the archive; refusing it (path traversal)");
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    /**
     * Resolves a symlink target relative to the directory of the link, lexically, as a path inside the archive.
     *
     * @throws LayerException if the target is absolute or climbs above the archive root
     */
    static String resolveLink(String linkName, String target, String what) throws LayerException {
        if (target.startsWith("/") || target.indexOf('\0') >= 0) {
            throw new LayerException(what + ": the symlink " + quote(linkName) + " points to " + quote(target)
                    + ", outside the archive; refusing it (path traversal)");
        }
        Deque<String> parts = new ArrayDeque<>();
        int slash = linkName.lastIndexOf('/');
        if (slash > 0) {
            for (String p : linkName.substring(0, slash).split("/")) {
                parts.addLast(p);
            }
        }
        for (String part : target.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new LayerException(what + ": the symlink " + quote(linkName) + " points to "
                            + quote(target) + ", outside the archive; refusing it (path traversal)");
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    static String quote(String s) {
        return "\"" + s.replace("\0", "\\0") + "\"";
    }
}
