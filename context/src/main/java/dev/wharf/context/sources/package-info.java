/**
 * Where a build context comes from ({@link dev.wharf.context.sources.BuildContextSource}): a local directory, a tar
 * stream or archive (compression recognised by content, extraction confined to the root), or a git repository
 * cloned with the {@code git} command; and the parsing of named contexts ({@code --build-context}). Every source
 * opens as a local directory that the rest of the module works on.
 */
package dev.wharf.context.sources;
