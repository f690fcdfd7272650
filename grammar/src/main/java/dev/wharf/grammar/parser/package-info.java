/**
 * The Dockerfile parser: text to a syntax tree of instructions, with BuildKit's semantics
 * ({@code frontend/dockerfile/parser}).
 *
 * <p>Entry point: {@link dev.wharf.grammar.parser.DockerfileParser#parse(String, String)}, which returns a
 * {@link dev.wharf.grammar.parser.ParseResult}: the {@link dev.wharf.grammar.parser.Directives}, one
 * {@link dev.wharf.grammar.parser.Node} per instruction (keyword, flags, argument {@link dev.wharf.grammar.parser.Word}s
 * with exact source ranges, heredocs, comments) and the warnings. {@link dev.wharf.grammar.parser.NodeDumper} renders
 * BuildKit's {@code Node.Dump()} format.
 *
 * <p>Two layers, as in BuildKit. The physical-line layer ({@code DockerfileParser}, {@code PhysicalLines}) handles
 * the directive block, line continuations, comments, empty continuation lines, heredoc bodies and the 64 KiB line
 * limit, and joins each instruction into a logical line that remembers where every character came from. The ANTLR
 * grammar ({@code InstructionLexer.g4}, {@code InstructionParser.g4}, driven by {@code InstructionLines}) parses a
 * logical line: keyword, flags, and the argument shape of the instruction (JSON array or shell form, quote-keeping
 * words, name/value pairs, whitespace-split words, the HEALTHCHECK type, nested ONBUILD) and heredoc markers. It
 * lexes UTF-8 bytes, because BuildKit scans flags byte by byte.
 *
 * <p>Helpers that mirror BuildKit functions: {@link dev.wharf.grammar.parser.WordSplitter} (parseWords),
 * {@link dev.wharf.grammar.parser.JsonArrays} (parseJSON), {@link dev.wharf.grammar.parser.NameValues}
 * (parseNameVal), {@link dev.wharf.grammar.parser.Heredocs} (ParseHeredoc, heredocsFromLine,
 * ChompHeredocContent), {@link dev.wharf.grammar.parser.DirectiveParser} and
 * {@link dev.wharf.grammar.parser.SyntaxDetector} (DetectSyntax, ParseDirective). Go library behaviour
 * ({@code strconv.Quote}, {@code unicode.IsSpace}) comes from {@code dev.wharf.grammar.go}.
 *
 * <p>Known difference: Java strings cannot hold invalid UTF-8. Where BuildKit cuts a character in half (a
 * HEALTHCHECK type word or a flag list ending at byte 0x85 or 0xA0 inside a character, the first byte of a
 * comment line, a 64 KiB cut), the orphaned bytes become U+FFFD here, and the dump shows that character where
 * BuildKit prints {@code \xHH}.
 */
package dev.wharf.grammar.parser;
