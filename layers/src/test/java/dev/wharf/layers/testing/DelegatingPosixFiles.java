package dev.wharf.layers.testing;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The real libc binding, call for call, for tests that change one of its answers to make a failure or a race
 * certain. Only the binding's required methods pass through; its optional ones ({@code lstat}, {@code createFile},
 * {@code listDirectory}, {@code openForReading}) stay unsupported unless a subclass adds them, so callers take their
 * java.nio paths. Thread-safe as the binding it wraps.
 */
public abstract class DelegatingPosixFiles implements PosixFiles {
    /** The binding every call goes to. */
    protected final PosixFiles real;

    protected DelegatingPosixFiles(PosixFiles real) {
        this.real = real;
    }

    @Override
    public List<String> listXattrs(Path path) throws LayerException {
        return real.listXattrs(path);
    }

    @Override
    public Optional<byte[]> getXattr(Path path, String name) throws LayerException {
        return real.getXattr(path, name);
    }

    @Override
    public void setXattr(Path path, String name, byte[] value) throws LayerException {
        real.setXattr(path, name, value);
    }

    @Override
    public void mknod(Path path, int mode, long device) throws LayerException {
        real.mknod(path, mode, device);
    }

    @Override
    public void symlink(String target, Path link) throws LayerException {
        real.symlink(target, link);
    }

    @Override
    public void lchown(Path path, int uid, int gid) throws LayerException {
        real.lchown(path, uid, gid);
    }

    @Override
    public void setTimes(Path path, long epochSeconds, int nanos) throws LayerException {
        real.setTimes(path, epochSeconds, nanos);
    }

    @Override
    public int effectiveUid() {
        return real.effectiveUid();
    }
}
