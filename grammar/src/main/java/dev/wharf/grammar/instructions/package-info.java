/**
 * The typed, immutable instruction layer: BuildKit's {@code frontend/dockerfile/instructions}. It turns the
 * parser's {@link dev.wharf.grammar.parser.Node}s into {@link dev.wharf.grammar.instructions.Instruction} records
 * (flags validated and typed, values still raw) and a whole file into a
 * {@link dev.wharf.grammar.instructions.Dockerfile} of meta ARGs and stages. Error reasons are BuildKit's
 * messages; every error carries the range of the instruction, flag or argument at fault.
 */
package dev.wharf.grammar.instructions;
