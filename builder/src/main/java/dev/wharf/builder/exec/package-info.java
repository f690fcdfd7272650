/**
 * The executor: walks a {@link dev.wharf.builder.plan.BuildPlan} stage by stage and step by step, looks each step up
 * in the build cache, runs what misses (metadata into the image config, COPY/ADD and WORKDIR into a prepared
 * snapshot, RUN through the sandbox), turns each snapshot's diff into a layer blob, and writes the final image into
 * the local store. {@link dev.wharf.builder.exec.LocalBuildEngine} is the public API's implementation.
 */
package dev.wharf.builder.exec;
