/*
 * Lexer for one logical Dockerfile instruction line (continuations already joined).
 *
 * The input is a BYTE string: every char of the stream is one UTF-8 byte (0x00..0xFF). BuildKit's
 * parser mixes byte-wise scanning (splitCommand's flag extraction and parseHealthConfig test
 * unicode.IsSpace(rune(byte)), so bytes 0x85 and 0xA0 count as spaces) with rune-wise scanning
 * (parseWords decodes UTF-8), and lexing bytes is the only way to honour both exactly.
 *
 * The escape character (\ or `) is a lexer parameter, tested by semantic predicates.
 * The start mode selects the argument shape; the driver (InstructionLines) picks it from the keyword.
 * Every mode covers every byte, so the lexer never reports a token recognition error.
 */
lexer grammar InstructionLexer;

// FLAG_END: a flag word whose value is "--"; emitted by onFlagWord()
tokens { FLAG_END }

@members {
    private int escapeChar = '\\';

    /** Sets the escape character of the {@code # escape=} directive: {@code \} or {@code `}. */
    public void setEscapeChar(int escape) {
        this.escapeChar = escape;
    }

    /** An unterminated quote or a trailing escape char is only allowed at the end of the line. */
    private boolean atEnd() {
        return _input.LA(1) == EOF;
    }

    private boolean escapeBefore() {
        return _input.LA(-1) == escapeChar;
    }

    /** A flag word whose value is exactly "--" (after quote removal) ends the flags: splitCommand.go. */
    private void onFlagWord() {
        if ("--".equals(FlagWords.cook(getText(), escapeChar))) {
            setType(FLAG_END);
            mode(REST_MODE);
        }
    }
}

// ---------------------------------------------------------------- command: KEYWORD then flags
// splitCommand: the keyword ends at the first run of [\t\v\f\r ].
KEYWORD     : ~[\t\u000B\f\r ]+ ;
KEYWORD_SEP : [\t\u000B\f\r ]+ -> mode(FLAGS) ;

fragment AnyByte       : [\u0000-\u00FF] ;
fragment EscapeChar    : [\\`] {escapeBefore()}? ;
fragment NonEscapeChar : [\\`] {!escapeBefore()}? ;
// unicode.IsSpace(rune(b)) for a single byte b
fragment ByteSpace     : [\t\n\u000B\f\r \u0085\u00A0] ;
// unicode.IsSpace on a decoded rune, as UTF-8 byte sequences
fragment UnicodeSpace
    : [\t\n\u000B\f\r ]
    | '\u00C2' [\u0085\u00A0]
    | '\u00E1\u009A\u0080'
    | '\u00E2\u0080' [\u0080-\u008A\u00A8\u00A9\u00AF]
    | '\u00E2\u0081\u009F'
    | '\u00E3\u0080\u0080'
    ;

// ---------------------------------------------------------------- flags (extractBuilderFlags)
mode FLAGS;
FLAG_SPACE : ByteSpace+ ;
// A word starting with "--": quotes are removed and the escape char escapes the next byte, in and
// out of quotes. An unterminated quote runs to the end of the line.
FLAG       : '--' FlagPart* { onFlagWord(); } ;
// The first word not starting with "--" begins the arguments, which run verbatim to the end.
REST       : ~[\t\n\u000B\f\r \u0085\u00A0-] AnyByte* | '-' ( ~'-' AnyByte* )? ;
fragment FlagPart
    : ~[\t\n\u000B\f\r \u0085\u00A0'"\\`]
    | NonEscapeChar
    | EscapeChar ( AnyByte | {atEnd()}? )
    | '\'' ( ~['\\`] | NonEscapeChar | EscapeChar ( AnyByte | {atEnd()}? ) )* ( '\'' | {atEnd()}? )
    | '"' ( ~["\\`] | NonEscapeChar | EscapeChar ( AnyByte | {atEnd()}? ) )* ( '"' | {atEnd()}? )
    ;

mode REST_MODE;
// after a "--" terminator: everything else, verbatim
REST_ALL : AnyByte+ ;

// ---------------------------------------------------------------- quote-keeping words (parseWords)
mode WORDS;
W_SPACE   : UnicodeSpace+ ;
// single quotes: the escape char is not special
W_SQUOTE  : '\'' ~'\''* ( '\'' | {atEnd()}? ) ;
W_DQUOTE  : '"' ( ~["\\`] | NonEscapeChar | EscapeChar ( AnyByte | {atEnd()}? ) )* ( '"' | {atEnd()}? ) ;
W_ESCAPED : EscapeChar ( AnyByte | {atEnd()}? ) ;
// lead bytes of multi-byte spaces (C2 E1 E2 E3) are single tokens so that W_SPACE can win at them
W_TEXT    : ( ~[\t\n\u000B\f\r '"\\`\u00C2\u00E1\u00E2\u00E3] | NonEscapeChar )+ ;
W_LEAD    : [\u00C2\u00E1\u00E2\u00E3] ;

// ---------------------------------------------------------------- whitespace split (reWhitespace)
mode SPLIT;
S_SPACE : [\t\u000B\f\r ]+ ;
S_WORD  : ~[\t\u000B\f\r ]+ ;

// ---------------------------------------------------------------- HEALTHCHECK type word
mode HEALTH;
H_TYPE  : ~[\t\n\u000B\f\r \u0085\u00A0]+ ;
// parseHealthConfig scans bytes; the rest is "maybe JSON", parsed from JSON mode by the driver
H_SPACE : ByteSpace+ -> mode(REST_MODE) ;

// ---------------------------------------------------------------- JSON (encoding/json, RFC 8259)
mode JSON;
J_LBRACK : '[' ;
J_RBRACK : ']' ;
J_LBRACE : '{' ;
J_RBRACE : '}' ;
J_COMMA  : ',' ;
J_COLON  : ':' ;
J_TRUE   : 'true' ;
J_FALSE  : 'false' ;
J_NULL   : 'null' ;
J_NUMBER : '-'? ( '0' | [1-9] [0-9]* ) ( '.' [0-9]+ )? ( [eE] [+-]? [0-9]+ )? ;
J_STRING : '"' ( ~["\\\u0000-\u001F] | '\\' ( ["\\/bfnrt] | 'u' Hex Hex Hex Hex ) )* '"' ;
// JSON whitespace
J_WS     : [ \t\n\r]+ -> channel(HIDDEN) ;
// other Unicode spaces: trimmed before a leading '[' (parseJSON), invalid anywhere else
J_USPACE : ( [\u000B\f] | '\u00C2' [\u0085\u00A0] | '\u00E1\u009A\u0080'
           | '\u00E2\u0080' [\u0080-\u008A\u00A8\u00A9\u00AF] | '\u00E2\u0081\u009F' | '\u00E3\u0080\u0080' )+ ;
// anything else makes the text not JSON; runs keep the token count low for shell-form text
J_WORD   : ~[[\]{},:" \t\n\r\u000B\f\u00C2\u00E1\u00E2\u00E3]+ ;
J_OTHER  : AnyByte ;
fragment Hex : [0-9a-fA-F] ;

// ---------------------------------------------------------------- heredoc marker: ^(\d*)<<(-?)\s*([^<]*)$
// (reHeredoc in parser.go; Go's \s is [\t\n\f\r ]). Applied to one word of the shell lexer.
mode HEREDOC;
HD_DIGITS : [0-9]+ ;
HD_OP     : '<<' -> mode(HD_OPTIONS) ;
HD_JUNK   : AnyByte ;

mode HD_OPTIONS;
HD_CHOMP         : '-' -> mode(HD_AFTER_CHOMP) ;
HD_SPACE         : [\t\n\f\r ]+ -> mode(HD_NAME_MODE) ;
HD_NAME          : ~[<\t\n\f\r -] ~'<'* ;
HD_LT            : '<' ;

mode HD_AFTER_CHOMP;
HD_SPACE_2       : [\t\n\f\r ]+ -> type(HD_SPACE), mode(HD_NAME_MODE) ;
HD_NAME_2        : ~[<\t\n\f\r ] ~'<'* -> type(HD_NAME) ;
HD_LT_2          : '<' -> type(HD_LT) ;

mode HD_NAME_MODE;
HD_NAME_3        : ~'<'+ -> type(HD_NAME) ;
HD_LT_3          : '<' -> type(HD_LT) ;
