// The few pieces of Go's standard library whose exact text LogQL users see, reimplemented so
// that our parser reads and prints queries as Loki does: string unquoting (text/scanner's
// escape rules + strconv.Unquote), strconv.Quote, float formatting (fmt's %v and
// strconv.FormatFloat 'f' -1), time.ParseDuration / Duration.String, Prometheus'
// model.ParseDuration / Duration.String, and go-humanize's ParseBytes / Bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sawmill::query::logql {

// Decodes the body of a double-quoted Go string literal (without the quotes). On a bad
// escape returns false with `*error` = "invalid char escape" (text/scanner's wording).
bool GoUnquoteBody(std::string_view body, std::string* out, std::string* error);

// strconv.Quote: double-quoted with Go escapes; invalid UTF-8 bytes as \xNN.
std::string GoQuote(std::string_view s);
void AppendGoQuote(std::string* out, std::string_view s);

// fmt.Sprint(float64): %g with the shortest digits, exponent form from 1e6 and below 1e-4
// ("1e+06", "100000", "0.5", "NaN", "+Inf").
std::string GoFormatFloatV(double v);
// strconv.FormatFloat(v, 'f', -1, 64): shortest fixed notation ("1000000", "0.25").
std::string GoFormatFloatF(double v);
// strconv.ParseFloat(s, 64) for the literals the lexer produces (decimal, exponent, hex
// integers). False when s is not a number or is out of float64's range ("1e400": Go answers
// +Inf with an error, and Loki refuses the query).
bool GoParseFloat(std::string_view s, double* out);
// Why GoParseFloat(s) fails, in Go's words: `strconv.ParseFloat: parsing "1e400": value out of
// range` or `...: invalid syntax`.
std::string GoParseFloatError(std::string_view s);

// time.ParseDuration ("1h30m", "1.5s", "-2m", "300ms", "1µs"). False on any error.
bool ParseGoDuration(std::string_view s, int64_t* ns);
// The same with Go's error text in *error (when not null): `time: invalid duration "x"`,
// `time: missing unit in duration "10"`, `time: unknown unit "x" in duration "10x"`.
bool ParseGoDuration(std::string_view s, int64_t* ns, std::string* error);

// ParseGoDuration's common form, inline for per-line loops: an unsigned integer of at most 18
// digits and one ASCII unit (ns, us, ms, s, m, h), "250ms", "3s". False when `s` is not of
// that form or overflows (ParseGoDuration then decides); otherwise the same result.
inline bool ParseSimpleGoDuration(std::string_view s, int64_t* ns) {
  size_t i = 0;
  int64_t whole = 0;
  while (i < s.size() && i < 18 && s[i] >= '0' && s[i] <= '9') {
    whole = whole * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0 || i + 1 > s.size() || i + 2 < s.size()) return false;
  int64_t mult = 0;
  const char u0 = s[i];
  if (i + 1 == s.size()) {
    mult = u0 == 's'   ? 1'000'000'000
           : u0 == 'm' ? 60'000'000'000
           : u0 == 'h' ? 3'600'000'000'000
                       : 0;
  } else if (s[i + 1] == 's') {
    mult = u0 == 'm' ? 1'000'000 : u0 == 'u' ? 1'000 : u0 == 'n' ? 1 : 0;
  }
  return mult != 0 && !__builtin_mul_overflow(whole, mult, ns);
}
// Prometheus model.ParseDuration as in Loki 2.8 ("5m", "1h30m", "2d", "1w", "0"). On error
// returns false with Loki's message: `not a valid duration string: "5x"`,
// `empty duration string`, `duration out of range`.
bool ParsePromDuration(std::string_view s, int64_t* ns, std::string* error);
// Loki's parseDuration for DURATION tokens: Prometheus' syntax first, then Go's.
bool ParseLogqlDuration(std::string_view s, int64_t* ns);

// go-humanize ParseBytes ("10KB" = 10000, "1MiB" = 1048576, "5 kb", "42"). False on error.
bool ParseHumanBytes(std::string_view s, uint64_t* out);
// Bytes as Loki prints bytes filters (go-humanize's Bytes without the space: 10000 -> "10kB",
// 5 -> "5B"), except where that rounds (Loki prints 1048576 as "1.0MB", which reads back as
// 1000000): then in binary units when exact ("1MiB"), else in bytes ("1234567B"), so that
// printing never changes the query.
std::string FormatHumanBytes(uint64_t b);
// The threshold a bytes label filter (`size >= 10KiB`) really compares with in Loki: its query
// frontend hands the querier the query re-printed (BytesLabelFilter.String(), go-humanize's
// rounded SI Bytes), which reads back as ParseBytes(Bytes(b)): 10KiB (10240) -> "10kB" ->
// 10000, 1536 -> "1.5kB" -> 1500; values Bytes prints exactly are unchanged.
uint64_t LokiFrontendBytes(uint64_t b);

// Duration printing: `[5m]` ranges use Prometheus' model.Duration ("1h30m", "1d", "0s");
// offsets and duration label filters use Go's time.Duration ("1h30m0s", "1.5s").
std::string FormatPromDuration(int64_t ns);
std::string FormatGoDuration(int64_t ns);

}  // namespace sawmill::query::logql
