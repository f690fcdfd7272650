/**
 * Images and layers: value types shared by every wharf module that handles content ({@link dev.wharf.layers.Digest},
 * {@link dev.wharf.layers.Descriptor}, {@link dev.wharf.layers.Platform}, {@link dev.wharf.layers.MediaTypes}) and
 * the module's one checked exception, {@link dev.wharf.layers.LayerException}.
 *
 * <p>Package graph (acyclic): {@code layout}, {@code json}, {@code compress}, {@code posix} and {@code tar} use
 * only this package; {@code blob} uses {@code layout}; {@code image} uses {@code blob} and {@code json};
 * {@code layer} uses {@code blob}, {@code compress}, {@code posix} and {@code tar}; {@code store} uses
 * {@code layout}, {@code blob}, {@code json} and {@code image}; {@code registry} uses {@code blob}, {@code json},
 * {@code image} and {@code store}. The module depends on no other wharf module.
 */
package dev.wharf.layers;
