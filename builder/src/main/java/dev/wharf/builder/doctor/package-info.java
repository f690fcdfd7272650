/**
 * Store health: {@link dev.wharf.builder.doctor.StoreDoctor} checks a store ({@code wharf doctor}) and
 * {@link dev.wharf.builder.doctor.StaleState} finds what killed builds left (active snapshots, sandbox state,
 * staged files, mounts, processes), which the next engine cleans when it opens the store.
 */
package dev.wharf.builder.doctor;
