/** Resolving COPY/ADD sources against a local context into an ordered file set plus its checksum. */
package dev.wharf.context.source;
