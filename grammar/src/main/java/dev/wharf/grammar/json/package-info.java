/** JSON views of the grammar model (for {@code wharf parse --json}). */
package dev.wharf.grammar.json;
