/*
 * Parser for one logical Dockerfile instruction line: BuildKit's split_command.go and line_parsers.go.
 *
 * commandLine splits keyword, flags and the verbatim rest. The rest is then parsed with the entry rule
 * of the instruction's argument shape, the lexer started in the matching mode (see InstructionLines).
 * Every rule accepts every token sequence of its lexer mode, so valid input never hits error recovery.
 */
parser grammar InstructionParser;

options { tokenVocab = InstructionLexer; }

// ---------------------------------------------------------------- keyword, flags, rest
commandLine
    : KEYWORD? ( KEYWORD_SEP flagSection )? EOF
    ;

flagSection
    : FLAG_SPACE? ( FLAG FLAG_SPACE? )* ( FLAG_END REST_ALL? | REST )?
    ;

// ---------------------------------------------------------------- "maybe JSON" (parseMaybeJSON)
// A valid JSON array wins (ANTLR resolves the ambiguity with the shell form to the first
// alternative); anything else is the shell form, taken verbatim.
maybeJson
    : J_USPACE* jsonArray EOF     # jsonForm
    | .+? EOF                     # shellForm
    ;

jsonArray
    : J_LBRACK ( jsonValue ( J_COMMA jsonValue )* )? J_RBRACK
    ;

jsonValue
    : J_STRING
    | J_NUMBER
    | J_TRUE
    | J_FALSE
    | J_NULL
    | jsonArray
    | jsonObject
    ;

jsonObject
    : J_LBRACE ( jsonMember ( J_COMMA jsonMember )* )? J_RBRACE
    ;

jsonMember
    : J_STRING J_COLON jsonValue
    ;

// ---------------------------------------------------------------- HEALTHCHECK (parseHealthConfig)
healthcheck
    : H_TYPE ( H_SPACE REST_ALL? )? EOF
    ;

// ---------------------------------------------------------------- quote-keeping words (parseWords)
wordList
    : W_SPACE? ( word ( W_SPACE word )* W_SPACE? )? EOF
    ;

word
    : ( W_TEXT | W_LEAD | W_ESCAPED | W_SQUOTE | W_DQUOTE )+
    ;

// ---------------------------------------------------------------- [\t\v\f\r ]+ split (reWhitespace)
spaceSeparated
    : S_SPACE? ( S_WORD ( S_SPACE S_WORD )* S_SPACE? )? EOF
    ;

// ---------------------------------------------------------------- heredoc marker (reHeredoc)
// digits (file descriptor), "<<", optional "-" (chomp tabs), spaces, then the delimiter word, no '<' after "<<"
heredocMarker
    : HD_DIGITS? HD_OP HD_CHOMP? HD_SPACE? HD_NAME? EOF    # marker
    | .*? EOF                                              # notMarker
    ;
