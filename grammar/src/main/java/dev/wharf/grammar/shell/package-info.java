/**
 * Dockerfile word expansion with BuildKit's exact semantics (frontend/dockerfile/shell/lex.go).
 *
 * <p>{@link dev.wharf.grammar.shell.ShellLexer} expands a word against an
 * {@link dev.wharf.grammar.shell.EnvGetter}: quote removal, escapes, {@code $VAR}/{@code ${VAR}} with the
 * {@code :- - :+ + :? ? # ## % %% / //} modifiers, positional and special parameters (always unset), word
 * splitting, and the report of which variables a word used. Failures are
 * {@link dev.wharf.grammar.shell.ShellExpansionException}s carrying BuildKit's message; the instruction layer
 * adds the source position. Everything here is immutable and thread-safe.
 */
package dev.wharf.grammar.shell;
