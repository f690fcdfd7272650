/**
 * The registry client: pulls images from and pushes images to registries speaking the Docker Registry HTTP API v2
 * / OCI distribution-spec, over blocking HTTP/1.1 connections of its own ({@code SocketTransport}) and Jackson.
 *
 * <p>Entry points: {@link dev.wharf.layers.registry.ImageReference} parses references exactly like Docker's
 * {@code distribution/reference}; {@link dev.wharf.layers.registry.RegistryClient} moves single manifests and
 * blobs; {@link dev.wharf.layers.registry.ImagePuller} and {@link dev.wharf.layers.registry.ImagePusher} move whole
 * images between a registry and a {@link dev.wharf.layers.store.LocalStore}. Credentials come from a
 * {@link dev.wharf.layers.registry.CredentialProvider}, e.g.
 * {@link dev.wharf.layers.registry.DockerConfigCredentials} over {@code ~/.docker/config.json}.
 *
 * <p>Structure (after jib-core's {@code registry} package): each API call is one small package-private
 * {@code RegistryEndpoint} class ({@code ManifestPuller}, {@code ManifestChecker}, {@code BlobChecker},
 * {@code BlobPuller}, {@code UploadStarter}, {@code UploadChunkPusher}, {@code UploadFinisher},
 * {@code ManifestPusher}) that names its method, URL, Accept header, response handling and description;
 * {@code RegistryCaller} does the HTTP work for all of them: scheme choice ({@code PlainHttpPolicy}), the
 * {@code WWW-Authenticate} flow with a per-scope token cache ({@code RegistryAuthenticator}), redirects and
 * bounded retries ({@link dev.wharf.layers.registry.RetryPolicy}); below it, {@code HttpTransport} is the seam that
 * moves the bytes ({@code SocketTransport}: plain TCP or TLS, keep-alive, bodies read on the calling thread, so a
 * blob goes from the socket through one array into the store). Every error is a
 * {@link dev.wharf.layers.registry.RegistryException}.
 */
package dev.wharf.layers.registry;
