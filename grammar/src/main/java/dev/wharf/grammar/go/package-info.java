/**
 * Go standard-library behaviour that BuildKit's results depend on and Java does not share: {@code strconv.Quote}
 * ({@link dev.wharf.grammar.go.GoQuote}), {@code unicode.IsSpace}, {@code strings.TrimSpace} and rune-wise case
 * mapping ({@link dev.wharf.grammar.go.GoStrings}), {@code time.ParseDuration}
 * ({@link dev.wharf.grammar.go.GoDurations}) and the {@code strconv}/go-units number parsers
 * ({@link dev.wharf.grammar.go.GoNumbers}).
 *
 * <p>One home for these helpers, shared by the parser, the shell expander and the typed instruction layer. They
 * are stateless and thread-safe. Support code for the module's own packages, not a public API of wharf.
 */
package dev.wharf.grammar.go;
