package dev.wharf.builder.exec;

import dev.wharf.context.checksum.Selector;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.glob.GoGlob;
import dev.wharf.context.glob.GoPaths;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The follow paths of a context transfer with the symlinks in them resolved, as fsutil's sender resolves them before
 * its walk (followlinks.go, {@code FollowLinks}): a path whose component is a symlink in the context stays (the link
 * itself is sent) and the link's target, joined with the rest of the path, is followed in turn, so {@code COPY
 * link.txt} sends {@code a.txt} too and {@code COPY dlink/f} sends {@code d/f}. A link's target is taken inside the
 * context: an absolute one from its root, a relative one from the link's directory, never above the root. A
 * wildcard component follows the symlinks among the names it matches. Stateless.
 */
final class FollowLinks {
    private FollowLinks() {
    }

    /**
     * The resolved follow paths, relative and slash-separated, sorted, those below another left out; empty when one
     * of them is the context's root (the whole context is sent).
     *
     * @param root  the context directory
     * @param paths cleaned relative follow paths
     */
    static List<String> resolve(Path root, List<String> paths) throws IOException, BadPatternException {
        TreeSet<String> resolved = new TreeSet<>();
        for (String p : paths) {
            append(root, p, resolved);
        }
        List<String> out = new ArrayList<>();
        String last = null;
        for (String s : resolved) {
            if (s.equals(".")) {
                return List.of();
            }
            if (last != null && s.startsWith(last + "/")) {
                continue;
            }
            out.add(s);
            last = s;
        }
        return out;
    }

    private static void append(Path root, String path, TreeSet<String> resolved)
            throws IOException, BadPatternException {
        String rest = relative(path);
        String current = ".";
        while (true) {
            int slash = rest.indexOf('/');
            String part = slash < 0 ? rest : rest.substring(0, slash);
            current = relative(current.equals(".") ? part : current + "/" + part);
            Optional<List<String>> targets = targets(root, current, true);
            rest = slash < 0 ? "" : rest.substring(slash + 1);
            if ((rest.isEmpty() || targets.isPresent()) && resolved.contains(current)) {
                return; // seen already: also what ends a loop of links
            }
            if (targets.isPresent()) {
                resolved.add(current);
                for (String target : targets.get()) {
                    append(root, rest.isEmpty() ? target : target + "/" + rest, resolved);
                }
                return;
            }
            if (rest.isEmpty()) {
                resolved.add(current);
                return;
            }
        }
    }

    /**
     * The targets (absolute within the context) of {@code path} when it is a symlink, or of the symlinks its last
     * component matches when that is a pattern; empty when there is no symlink (or nothing) there.
     */
    private static Optional<List<String>> targets(Path root, String path, boolean allowWildcard)
            throws IOException, BadPatternException {
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "" : path.substring(0, slash);
        String base = path.substring(slash + 1);
        if (allowWildcard && Selector.containsWildcards(base)) {
            List<String> out = new ArrayList<>();
            try (DirectoryStream<Path> names = Files.newDirectoryStream(dir.isEmpty() ? root : root.resolve(dir))) {
                for (Path child : names) {
                    String name = child.getFileName().toString();
                    if (GoGlob.match(base, name)) {
                        targets(root, dir.isEmpty() ? name : dir + "/" + name, false).ifPresent(out::addAll);
                    }
                }
            } catch (NoSuchFileException | NotDirectoryException e) {
                return Optional.empty();
            }
            return out.isEmpty() ? Optional.empty() : Optional.of(out);
        }
        Path file = root.resolve(path);
        if (!Files.isSymbolicLink(file)) {
            return Optional.empty();
        }
        String link = GoPaths.clean(Files.readSymbolicLink(file).toString());
        if (link.startsWith("/")) {
            return Optional.of(List.of(link));
        }
        return Optional.of(List.of(GoPaths.clean("/" + dir + "/" + link)));
    }

    /** {@code path} cleaned and made relative to the context's root ({@code .} for the root itself). */
    private static String relative(String path) {
        String clean = GoPaths.clean("/" + path);
        return clean.equals("/") ? "." : clean.substring(1);
    }
}
