/**
 * Content checksums with BuildKit's cache/contenthash rules and a persistent cache of file digests, so unchanged
 * files are not read again by a later process.
 */
package dev.wharf.context.checksum;
