/**
 * The build context: which files a build may see ({@code .dockerignore}), what a COPY or ADD takes from it, and
 * the content checksums that make their cache keys, all with BuildKit's semantics.
 *
 * <p>Packages: {@code glob} (Go's filepath.Match and path helpers), {@code ignore} (moby/patternmatcher and the
 * ignore-file reader), {@code walk} (fsutil's filtered walk), {@code checksum} (cache/contenthash),
 * {@code source} (COPY/ADD source resolution) and {@code sources} (where the context comes from: a directory, a tar
 * stream, a git repository; {@code --build-context} values). {@link dev.wharf.context.ContextException} is the module's one
 * checked exception.
 */
package dev.wharf.context;
