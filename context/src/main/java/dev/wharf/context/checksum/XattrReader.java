package dev.wharf.context.checksum;

import dev.wharf.context.walk.FileType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the extended attributes that go into a checksum header. The JDK exposes only the {@code user.} namespace,
 * so {@code security.capability} and {@code trusted.*}, which BuildKit also hashes, are not seen (a known gap:
 * files that differ only in those attributes get the same checksum). Only regular files and directories are
 * asked: the JDK opens the file to list its attributes, which would block on a FIFO; symlinks cannot carry user
 * attributes on Linux anyway. Stateless and thread-safe.
 */
final class XattrReader {

    /** Attributes by full name ({@code user.x}); empty when the file system does not support them. */
    Map<String, byte[]> read(Path file, FileType type) {
        if (type != FileType.REGULAR && type != FileType.DIRECTORY) {
            // The JDK opens the file to list attributes: a FIFO would block and a device could react.
            return Map.of();
        }
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return Map.of();
        }
        try {
            var names = view.list();
            if (names.isEmpty()) {
                return Map.of();
            }
            Map<String, byte[]> out = new HashMap<>();
            for (String name : names) {
                ByteBuffer buf = ByteBuffer.allocate(view.size(name));
                view.read(name, buf);
                buf.flip();
                byte[] value = new byte[buf.remaining()];
                buf.get(value);
                out.put("user." + name, value);
            }
            return out;
        } catch (IOException | UnsupportedOperationException e) {
            // Upstream ignores attributes it cannot read (LGetxattr errors are skipped); no support means none.
            return Map.of();
        }
    }
}
