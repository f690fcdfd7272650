package dev.wharf.context.walk;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Directories a native scan may leave unlisted because a {@link ContextWalker} with the same exclusions would never
 * enter them: directories at the given paths or with the given names, except those on the way to, at or below the
 * literal stem of a {@code !} exception. Hints only: the caller checks each directory the scan left unlisted against
 * the walker's own decision ({@link ContextWalker.Lister}) and scans again without hints when the walker would
 * enter one. Immutable and thread-safe.
 *
 * @param paths directories relative to the context root ({@code node_modules}, {@code web/target})
 * @param names directory names pruned at any depth ({@code **}{@code /node_modules})
 * @param exceptionStems the literal part of each {@code !} pattern ({@code keep/node_modules/x/y.js})
 */
public record PruneHints(List<String> paths, List<String> names, List<String> exceptionStems) {

    /** No directory is pruned. */
    public static final PruneHints NONE = new PruneHints(List.of(), List.of(), List.of());

    public PruneHints {
        paths = List.copyOf(paths);
        names = List.copyOf(names);
        exceptionStems = List.copyOf(exceptionStems);
    }

    /** Whether no directory can be pruned. */
    public boolean isEmpty() {
        return paths.isEmpty() && names.isEmpty();
    }

    /** The rules as wharf-scan reads them on its stdin (with --rules): u8 type, u16 length (native order), UTF-8 bytes. */
    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (isEmpty() || !put(out, 'P', paths) || !put(out, 'B', names) || !put(out, 'E', exceptionStems)) {
            return new byte[0]; // nothing pruned
        }
        return out.toByteArray();
    }

    /** False when a text is too long for a rule (then none is sent). */
    private static boolean put(ByteArrayOutputStream out, char type, List<String> texts) {
        for (String t : texts) {
            byte[] b = t.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xffff) {
                return false;
            }
            out.write(type);
            out.writeBytes(ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) b.length).array());
            out.writeBytes(b);
        }
        return true;
    }
}
