/**
 * The build planner: turns a typed Dockerfile ({@link dev.wharf.grammar.instructions.Dockerfile}) and a
 * {@link dev.wharf.builder.plan.PlanRequest} into an immutable {@link dev.wharf.builder.plan.BuildPlan}, the way
 * BuildKit's {@code dockerfile2llb.toDispatchState} does before anything runs: stages by name and index, global
 * and stage ARGs, ENV, predefined ARGs, variable expansion per instruction, target pruning, ONBUILD triggers.
 *
 * <p>The plan is data: the planner does no I/O. Base-image metadata comes in through one injected
 * {@link dev.wharf.builder.plan.ImageConfigResolver}.
 */
package dev.wharf.builder.plan;
