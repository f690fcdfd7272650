/**
 * {@code .dockerignore} files and patterns with moby/patternmatcher's semantics, including its reliance on Go's
 * regexp dialect; {@link dev.wharf.context.ignore.DockerIgnore} picks the file the way BuildKit's front end does.
 */
package dev.wharf.context.ignore;
