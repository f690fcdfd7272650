/** Go's {@code path/filepath} matching and path functions, byte-exact, as BuildKit's Go code sees them. */
package dev.wharf.context.glob;
