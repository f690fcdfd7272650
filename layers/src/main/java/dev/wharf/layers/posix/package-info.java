/**
 * The few POSIX calls that {@code java.nio} cannot make (extended attributes, {@code mknod}, {@code lchown} and
 * {@code utimensat} without following symlinks), behind the {@link dev.wharf.layers.posix.PosixFiles} interface.
 * The native binding (libc called through jffi, jnr-ffi's native-call layer) is package-private; nothing else in wharf touches native code. Uses only the
 * root package.
 */
package dev.wharf.layers.posix;
