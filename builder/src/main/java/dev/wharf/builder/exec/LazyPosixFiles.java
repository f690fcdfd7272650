package dev.wharf.builder.exec;

import dev.wharf.builder.sandbox.UserNamespaces;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.NewFile;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.posix.PosixStat;
import dev.wharf.layers.posix.ReadableFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The system's {@link PosixFiles}, its native binding loaded on the first call that needs it. A fully cached build
 * never creates a device node, changes an owner or reads an attribute of a snapshot, and loading the binding
 * (jffi's native stub, libc's symbols and their call contexts) is work a cached CLI build's start can skip; the effective uid is read from {@code /proc/self/status} without it.
 *
 * <p>Thread-safe.
 */
final class LazyPosixFiles implements PosixFiles {
    private volatile PosixFiles loaded;

    private PosixFiles binding() throws LayerException {
        PosixFiles p = loaded;
        if (p == null) {
            synchronized (this) {
                p = loaded;
                if (p == null) {
                    p = PosixFiles.system();
                    loaded = p;
                }
            }
        }
        return p;
    }

    @Override
    public List<String> listXattrs(Path path) throws LayerException {
        return binding().listXattrs(path);
    }

    @Override
    public Optional<byte[]> getXattr(Path path, String name) throws LayerException {
        return binding().getXattr(path, name);
    }

    @Override
    public void setXattr(Path path, String name, byte[] value) throws LayerException {
        binding().setXattr(path, name, value);
    }

    @Override
    public void mknod(Path path, int mode, long device) throws LayerException {
        binding().mknod(path, mode, device);
    }

    @Override
    public void symlink(String target, Path link) throws LayerException {
        binding().symlink(target, link);
    }

    @Override
    public void lchown(Path path, int uid, int gid) throws LayerException {
        binding().lchown(path, uid, gid);
    }

    @Override
    public void chmod(Path path, int mode) throws LayerException {
        binding().chmod(path, mode);
    }

    @Override
    public void setTimes(Path path, long epochSeconds, int nanos) throws LayerException {
        binding().setTimes(path, epochSeconds, nanos);
    }

    @Override
    public PosixStat lstat(Path path) throws LayerException {
        return binding().lstat(path);
    }

    @Override
    public boolean lexists(Path path) throws LayerException {
        return binding().lexists(path);
    }

    @Override
    public NewFile createFile(Path path, int mode) throws LayerException {
        return binding().createFile(path, mode);
    }

    @Override
    public List<String> listDirectory(Path dir) throws LayerException {
        return binding().listDirectory(dir);
    }

    @Override
    public ReadableFile openForReading(Path path) throws LayerException {
        return binding().openForReading(path);
    }

    /** The effective uid, from {@code /proc/self/status} ({@link UserNamespaces#effectiveUid}), else from libc. */
    @Override
    public int effectiveUid() {
        Optional<Long> uid = UserNamespaces.effectiveUid();
        if (uid.isPresent()) {
            return uid.get().intValue();
        }
        try {
            return binding().effectiveUid();
        } catch (LayerException e) {
            throw new IllegalStateException("cannot tell the effective uid: " + e.getMessage(), e);
        }
    }
}
