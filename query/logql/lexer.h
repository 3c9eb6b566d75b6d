// The LogQL lexer. It reproduces the tokens and the error positions of Loki's lexer
// (pkg/logql/syntax/lex.go over Go's text/scanner), because users see those positions in
// error messages: `parse error at line 1, col 18: ...`.
//
// What it does, as Loki does:
//   - whitespace is space, tab, CR, LF; `#` starts a comment to the end of the line; Go
//     comments (`// ...`, `/* ... */`) are skipped too (text/scanner's GoTokens mode);
//   - strings are "..." with Go escapes, or `...` raw; `'x'` is not a string (IDENTIFIER);
//   - a number directly followed by duration units is a DURATION (`5m`, `1h30m`, `1.5s`,
//     `2d`), else by byte units a BYTES (`10KB`, `1MiB`), else a NUMBER;
//   - `[...]` is one RANGE token (Prometheus duration inside);
//   - keywords are case-insensitive; function names (`rate`, `sum`, `ip`, `bytes`...) are
//     keywords only when followed by `(` (or `by (`/`without (`), else identifiers;
//   - `--strict`/`--keep-empty` are PARSER_FLAG tokens;
//   - any other character is an IDENTIFIER token of its own (so `@` reads "unexpected
//     IDENTIFIER").
// Positions are 1-based line and column in characters. Like text/scanner, a token completed
// by looking past its first scan (two-character operators, durations, bytes, flags, ranges)
// reports line 0 with the column of its first character.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sawmill::query::logql {

// Token kinds in the order of Loki's grammar declarations (expr.y), so that the "expecting"
// lists of syntax errors come out in Loki's order.
enum class Tok : uint8_t {
  kEnd,  // $end
  kBytes,
  kIdentifier,
  kString,
  kNumber,
  kParserFlag,
  kDuration,
  kRange,
  kEq,
  kRe,
  kNre,
  kNpa,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kPipeMatch,
  kPipeExact,
  kPipePattern,
  kLParen,
  kRParen,
  kBy,
  kWithout,
  kCountOverTime,
  kRate,
  kRateCounter,
  kSum,
  kSort,
  kSortDesc,
  kAvg,
  kMax,
  kMin,
  kCount,
  kStddev,
  kStdvar,
  kBottomK,
  kTopK,
  kBytesOverTime,
  kBytesRate,
  kBool,
  kJson,
  kRegexp,
  kLogfmt,
  kPipe,
  kLineFmt,
  kLabelFmt,
  kUnwrap,
  kAvgOverTime,
  kSumOverTime,
  kMinOverTime,
  kMaxOverTime,
  kStdvarOverTime,
  kStddevOverTime,
  kQuantileOverTime,
  kBytesConv,
  kDurationConv,
  kDurationSecondsConv,
  kFirstOverTime,
  kLastOverTime,
  kAbsentOverTime,
  kVector,
  kLabelReplace,
  kUnpack,
  kOffset,
  kPattern,
  kIp,
  kOn,
  kIgnoring,
  kGroupLeft,
  kGroupRight,
  kDecolorize,
  kDrop,
  kKeep,
  kOr,
  kAnd,
  kUnless,
  kCmpEq,
  kNeq,
  kLt,
  kLte,
  kGt,
  kGte,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kError,  // a lexical error; Token::text holds the message
};

// How Loki names a token in "unexpected X" / "expecting X": `}` `|=` `by` `ip` for keywords
// and punctuation, IDENTIFIER STRING NUMBER DURATION BYTES RANGE PARSER_FLAG RATE SUM ... for
// the others, `$end` at the end.
std::string_view TokName(Tok t);

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;      // the source text; the unquoted value for kString; the message for kError
  int64_t duration = 0;  // kDuration, kRange: nanoseconds
  uint64_t bytes = 0;    // kBytes
  int line = 0;          // 1-based; 0 for tokens completed past their first scan
  int col = 0;           // 1-based, in characters
  bool name = false;     // kIdentifier matching [a-zA-Z_][a-zA-Z0-9_]* (a label name)
};

// Tokenizes all of `input`. The last token is kEnd, or kError at the first lexical error.
std::vector<Token> Lex(std::string_view input);

}  // namespace sawmill::query::logql
