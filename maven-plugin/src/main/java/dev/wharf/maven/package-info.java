/**
 * The wharf Maven plugin: the {@code wharf:build} goal builds a project's Dockerfile into an image of the local
 * wharf store through wharf's public API, {@link dev.wharf.builder.api}, and nothing else of the engine.
 */
package dev.wharf.maven;
