package dev.wharf.builder.snapshot;

/**
 * The disk usage of one snapshot's own data (not its parents'), as in containerd's {@code snapshots.Usage}.
 * Immutable.
 *
 * @param size   bytes used by regular files and symlink targets (hard links counted once)
 * @param inodes the number of distinct inodes, directories included
 */
public record Usage(long size, long inodes) {
}
