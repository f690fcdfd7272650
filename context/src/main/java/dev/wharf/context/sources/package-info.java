/**
 * Where a build context comes from ({@link dev.wharf.context.sources.BuildContextSource}): a local directory, a tar
 * stream or archive (compression recognised by content, extraction confined to the root), an http(s) URL (a
 * tarball, or a Dockerfile), or a git repository cloned with the {@code git} command; the parsing of named contexts
 * ({@code --build-context}) and of git addresses with BuildKit's rules; and the downloader of remote contexts and
 * {@code ADD <url>} ({@link dev.wharf.context.sources.HttpDownloader}: JDK HttpClient, proxies from the
 * environment). Every source opens as a local directory that the rest of the module works on.
 */
package dev.wharf.context.sources;
