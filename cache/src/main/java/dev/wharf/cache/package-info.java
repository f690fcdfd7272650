/**
 * The build step cache: {@link dev.wharf.cache.CacheKeyInputs} and their canonical, versioned
 * {@link dev.wharf.cache.CacheKey}, the {@link dev.wharf.cache.CacheRecord} a step leaves behind, and the
 * {@link dev.wharf.cache.CacheStore} that maps one to the other, explains misses and prunes.
 *
 * <p>Modelled on BuildKit's solver cache ({@code solver/cachekey.go}, {@code solver/cachestorage.go}, the exec op's
 * {@code CacheMap} in {@code solver/llbsolver/ops/exec.go}) without its edge machinery: wharf computes one key per
 * step from its parent's key and the step's own inputs, and keeps the inputs so a miss can be explained.
 */
package dev.wharf.cache;
