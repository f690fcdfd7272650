package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.RootView;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes the shell commands that mount a root filesystem and create directories inside it, for a setup script that
 * runs in the sandbox's private mount namespace. Paths inside the root are canonicalized through {@link RootView}
 * first, so a symlink in the image can never redirect a {@code mkdir} or a mount onto the host. Stateless.
 */
final class MountScript {
    /**
     * The kernel copies mount options into one page; BuildKit ({@code compactLongOverlayMount}) switches strategy
     * at 4096 - 512 bytes, and so does wharf.
     */
    static final int OPTIONS_LIMIT = 4096 - 512;
    private static final int PAGE = 4096;

    /**
     * The first lines of a setup script after {@code set -eu}: every {@code mount} and {@code umount} runs with
     * {@code -n}, so util-linux never records the sandbox's private mounts in the host's {@code /run/mount/utab};
     * in a user namespace that file is not writable, and mount(8) would report a successful mount as failed.
     */
    static final List<String> PRELUDE = List.of("mount() { command mount -n \"$@\"; }",
            "umount() { command umount -n \"$@\"; }");

    private MountScript() {
    }

    /**
     * Commands that mount {@code rootfs} at the directory in shell variable {@code $R}. An overlay whose options do
     * not fit in a page is mounted from the lower directories' common parent with relative paths (the kernel
     * resolves them against the mounting process's working directory), which keeps deep layer stacks mountable.
     */
    static List<String> mountRootfs(List<Mount> rootfs) throws SandboxException {
        List<String> lines = new ArrayList<>();
        for (Mount m : rootfs) {
            switch (m.type()) {
                case "bind" -> {
                    lines.add("mount --rbind " + Shell.quote(m.source()) + " \"$R\"");
                    if (m.readOnly()) {
                        lines.add("mount -o remount,bind,ro \"$R\"");
                    }
                }
                case "overlay" -> lines.addAll(mountOverlay(m));
                default -> throw new SandboxException("cannot mount a root filesystem of type " + m.type()
                        + "; the snapshotter must return bind or overlay mounts");
            }
        }
        return lines;
    }

    private static List<String> mountOverlay(Mount m) throws SandboxException {
        OverlayOptions o = overlayOptions(m);
        if (o.base().isEmpty()) {
            return List.of("mount -t overlay -o " + Shell.quote(o.options()) + " overlay \"$R\"");
        }
        // A subshell, so that the setup script's own working directory is unchanged.
        return List.of("(cd " + Shell.quote(o.base().get().toString()) + " && mount -t overlay -o "
                + Shell.quote(o.options()) + " overlay \"$R\")");
    }

    /**
     * An overlay's mount options, relative to {@code base} when present: the mount must then be made with
     * {@code base} as the working directory.
     */
    record OverlayOptions(Optional<Path> base, String options) {
    }

    /**
     * The options to mount overlay {@code m} with: as they are when they fit in a page, else with the layer
     * directories relative to their common parent (BuildKit's {@code compactLongOverlayMount}).
     */
    static OverlayOptions overlayOptions(Mount m) throws SandboxException {
        String options = String.join(",", m.options());
        if (options.length() < OPTIONS_LIMIT) {
            return new OverlayOptions(Optional.empty(), options);
        }
        List<String> dirs = new ArrayList<>(m.lowerDirs());
        m.option("upperdir").ifPresent(dirs::add);
        m.option("workdir").ifPresent(dirs::add);
        Path base = commonParent(dirs);
        List<String> relative = new ArrayList<>();
        for (String o : m.options()) {
            int eq = o.indexOf('=');
            String name = eq < 0 ? o : o.substring(0, eq);
            switch (name) {
                case "lowerdir" -> {
                    List<String> lowers = new ArrayList<>();
                    for (String d : m.lowerDirs()) {
                        lowers.add(base.relativize(Path.of(d)).toString());
                    }
                    relative.add("lowerdir=" + String.join(Mount.LOWER_SEPARATOR, lowers));
                }
                case "upperdir", "workdir" -> relative.add(name + "=" + base.relativize(Path.of(o.substring(eq + 1))));
                default -> relative.add(o);
            }
        }
        String compact = String.join(",", relative);
        if (compact.length() >= PAGE) {
            throw new SandboxException("the root filesystem has too many layers to mount (" + m.lowerDirs().size()
                    + " lower directories, " + compact.length() + " bytes of mount options even as relative paths,"
                    + " over the kernel's " + PAGE + "); squash the base image or use fewer RUN steps");
        }
        return new OverlayOptions(Optional.of(base), compact);
    }

    private static Path commonParent(List<String> dirs) {
        Path common = Path.of(dirs.get(0)).getParent();
        for (String d : dirs) {
            while (!Path.of(d).startsWith(common)) {
                common = common.getParent();
            }
        }
        return common;
    }

    /**
     * Commands that create {@code path} inside {@code $R} and chown every directory they create to {@code owner},
     * like BuildKit's {@code idtools.MkdirAllAndChown} for the working directory. Nothing when it exists.
     */
    static List<String> mkdirs(RootView view, String path, ProcessUser owner) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String dir : missingDirs(view, path)) {
            lines.add("mkdir -m 755 \"$R\"" + Shell.quote(dir));
            lines.add("chown " + owner.uid() + ":" + owner.gid() + " \"$R\"" + Shell.quote(dir));
        }
        return lines;
    }

    /** The canonical in-root directories that creating {@code path} makes, parents first; empty when it exists. */
    static List<String> missingDirs(RootView view, String path) throws IOException {
        List<String> missing = new ArrayList<>();
        String p = view.canonical(path);
        while (!p.equals("/") && !view.exists(p)) {
            missing.add(0, p);
            p = p.substring(0, Math.max(p.lastIndexOf('/'), 1));
            if (p.isEmpty()) {
                break;
            }
        }
        return missing;
    }
}
