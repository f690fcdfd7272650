/** Walking a context directory with include/exclude patterns as BuildKit's file sender (fsutil) does. */
package dev.wharf.context.walk;
