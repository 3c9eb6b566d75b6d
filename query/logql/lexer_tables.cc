// The token tables of the LogQL lexer (Loki's `tokens` and `functionTokens` maps), their
// names in error messages, and which characters make identifiers.
#include "query/logql/lexer_tables.h"

#include <cctype>
#include <cstdint>

namespace sawmill::query::logql {
namespace {

struct Keyword {
  std::string_view text;
  Tok tok;
};

// Loki's `tokens`: keywords and punctuation, named by their text in error messages.
constexpr Keyword kTokens[] = {
    {",", Tok::kComma},
    {".", Tok::kDot},
    {"{", Tok::kLBrace},
    {"}", Tok::kRBrace},
    {"=", Tok::kEq},
    {"!=", Tok::kNeq},
    {"=~", Tok::kRe},
    {"!~", Tok::kNre},
    {"!>", Tok::kNpa},
    {"|=", Tok::kPipeExact},
    {"|~", Tok::kPipeMatch},
    {"|>", Tok::kPipePattern},
    {"|", Tok::kPipe},
    {"unwrap", Tok::kUnwrap},
    {"(", Tok::kLParen},
    {")", Tok::kRParen},
    {"by", Tok::kBy},
    {"without", Tok::kWithout},
    {"bool", Tok::kBool},
    {"[", Tok::kLBracket},
    {"]", Tok::kRBracket},
    {"label_replace", Tok::kLabelReplace},
    {"offset", Tok::kOffset},
    {"on", Tok::kOn},
    {"ignoring", Tok::kIgnoring},
    {"group_left", Tok::kGroupLeft},
    {"group_right", Tok::kGroupRight},
    {"or", Tok::kOr},
    {"and", Tok::kAnd},
    {"unless", Tok::kUnless},
    {"+", Tok::kAdd},
    {"-", Tok::kSub},
    {"*", Tok::kMul},
    {"/", Tok::kDiv},
    {"%", Tok::kMod},
    {"^", Tok::kPow},
    {"==", Tok::kCmpEq},
    {">", Tok::kGt},
    {">=", Tok::kGte},
    {"<", Tok::kLt},
    {"<=", Tok::kLte},
    {"json", Tok::kJson},
    {"regexp", Tok::kRegexp},
    {"logfmt", Tok::kLogfmt},
    {"unpack", Tok::kUnpack},
    {"pattern", Tok::kPattern},
    {"label_format", Tok::kLabelFmt},
    {"line_format", Tok::kLineFmt},
    {"ip", Tok::kIp},
    {"decolorize", Tok::kDecolorize},
    {"drop", Tok::kDrop},
    {"keep", Tok::kKeep},
};

// Loki's `functionTokens`: keywords only when a `(` follows; named in upper case.
struct FunctionToken {
  std::string_view text;
  Tok tok;
  std::string_view name;
};
constexpr FunctionToken kFunctions[] = {
    {"rate", Tok::kRate, "RATE"},
    {"rate_counter", Tok::kRateCounter, "RATE_COUNTER"},
    {"count_over_time", Tok::kCountOverTime, "COUNT_OVER_TIME"},
    {"bytes_rate", Tok::kBytesRate, "BYTES_RATE"},
    {"bytes_over_time", Tok::kBytesOverTime, "BYTES_OVER_TIME"},
    {"avg_over_time", Tok::kAvgOverTime, "AVG_OVER_TIME"},
    {"sum_over_time", Tok::kSumOverTime, "SUM_OVER_TIME"},
    {"min_over_time", Tok::kMinOverTime, "MIN_OVER_TIME"},
    {"max_over_time", Tok::kMaxOverTime, "MAX_OVER_TIME"},
    {"stdvar_over_time", Tok::kStdvarOverTime, "STDVAR_OVER_TIME"},
    {"stddev_over_time", Tok::kStddevOverTime, "STDDEV_OVER_TIME"},
    {"quantile_over_time", Tok::kQuantileOverTime, "QUANTILE_OVER_TIME"},
    {"first_over_time", Tok::kFirstOverTime, "FIRST_OVER_TIME"},
    {"last_over_time", Tok::kLastOverTime, "LAST_OVER_TIME"},
    {"absent_over_time", Tok::kAbsentOverTime, "ABSENT_OVER_TIME"},
    {"vector", Tok::kVector, "VECTOR"},
    {"sum", Tok::kSum, "SUM"},
    {"avg", Tok::kAvg, "AVG"},
    {"max", Tok::kMax, "MAX"},
    {"min", Tok::kMin, "MIN"},
    {"count", Tok::kCount, "COUNT"},
    {"stddev", Tok::kStddev, "STDDEV"},
    {"stdvar", Tok::kStdvar, "STDVAR"},
    {"bottomk", Tok::kBottomK, "BOTTOMK"},
    {"topk", Tok::kTopK, "TOPK"},
    {"sort", Tok::kSort, "SORT"},
    {"sort_desc", Tok::kSortDesc, "SORT_DESC"},
    {"label_replace", Tok::kLabelReplace, "label_replace"},
    {"bytes", Tok::kBytesConv, "BYTES_CONV"},
    {"duration", Tok::kDurationConv, "DURATION_CONV"},
    {"duration_seconds", Tok::kDurationSecondsConv, "DURATION_SECONDS_CONV"},
    {"ip", Tok::kIp, "ip"},
};

}  // namespace

namespace internal {

bool LookupToken(std::string_view text, Tok* tok) {
  for (const Keyword& k : kTokens) {
    if (k.text == text) {
      *tok = k.tok;
      return true;
    }
  }
  return false;
}

bool LookupFunction(std::string_view lower, Tok* tok) {
  for (const FunctionToken& f : kFunctions) {
    if (f.text == lower) {
      *tok = f.tok;
      return true;
    }
  }
  return false;
}

namespace {

bool IsAsciiIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }

// Go's unicode.IsLetter for the scripts a label name is likely to use (text/scanner lets
// identifiers contain any letter): Latin, IPA, Greek, Cyrillic, Armenian, Hebrew, Arabic,
// kana, CJK, Hangul.
bool IsLetterRune(uint32_t r) {
  if (r == 0xAA || r == 0xB5 || r == 0xBA) return true;
  if (r >= 0xC0 && r <= 0x2FF) return r != 0xD7 && r != 0xF7;
  if (r >= 0x370 && r <= 0x3FF)
    return r != 0x375 && r != 0x37E && r != 0x384 && r != 0x385 && r != 0x387;
  if (r >= 0x400 && r <= 0x52F) return r < 0x482 || r > 0x489;
  if (r >= 0x531 && r <= 0x587) return true;
  if (r >= 0x5D0 && r <= 0x5EA) return true;
  if (r >= 0x620 && r <= 0x64A) return true;
  if (r >= 0x3041 && r <= 0x30FF) return r != 0x30A0 && r != 0x30FB;
  if (r >= 0x4E00 && r <= 0x9FFF) return true;
  if (r >= 0xAC00 && r <= 0xD7A3) return true;
  return false;
}

// The length of the UTF-8 letter at s[i] (0 when s[i] does not start one).
}  // namespace

size_t LetterAt(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return IsAsciiIdentStart(s[i]) ? 1 : 0;
  size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t r = b & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    r = (r << 6) | (c & 0x3F);
  }
  return IsLetterRune(r) ? n : 0;
}

}  // namespace internal

std::string_view TokName(Tok t) {
  switch (t) {
    case Tok::kEnd:
      return "$end";
    case Tok::kBytes:
      return "BYTES";
    case Tok::kIdentifier:
      return "IDENTIFIER";
    case Tok::kString:
      return "STRING";
    case Tok::kNumber:
      return "NUMBER";
    case Tok::kParserFlag:
      return "PARSER_FLAG";
    case Tok::kDuration:
      return "DURATION";
    case Tok::kRange:
      return "RANGE";
    case Tok::kError:
      return "error";
    default:
      break;
  }
  for (const Keyword& k : kTokens) {
    if (k.tok == t) return k.text;
  }
  for (const FunctionToken& f : kFunctions) {
    if (f.tok == t) return f.name;
  }
  return "?";
}

}  // namespace sawmill::query::logql
