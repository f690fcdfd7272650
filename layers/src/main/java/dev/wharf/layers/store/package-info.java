/**
 * The local image store: {@link dev.wharf.layers.store.LocalStore} ties a blob store, image names kept in
 * {@code index.json} ({@link dev.wharf.layers.store.ImageStore}) and garbage collection together over one OCI image
 * layout that skopeo and umoci can read; {@link dev.wharf.layers.store.StoreRoot} finds the default root.
 */
package dev.wharf.layers.store;
