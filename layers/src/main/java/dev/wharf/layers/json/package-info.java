/**
 * Canonical JSON for image documents: Jackson configured to write exactly what Go's {@code encoding/json} writes
 * (escaping, timestamps, durations, sorted map keys) so equal models give equal bytes and digests.
 */
package dev.wharf.layers.json;
