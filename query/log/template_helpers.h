// Helpers of the template functions (template_funcs.cc) and of the executor: Go's lenient
// conversions (spf13/cast as sprig uses them), wrapping int64 arithmetic, string functions
// with Go's semantics, regex replacement with Go's $1/${name} expansion, URL and base64
// coding. Output-building helpers stop at kMaxOutput bytes.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "query/log/template_value.h"
#include "storage/result.h"

namespace sawmill::query::log::tmpl {

inline constexpr size_t kMaxOutput = 1 << 20;  // no function may build more than 1 MiB

// Go's int64(f) on amd64: truncation, MinInt64 when out of range or NaN.
int64_t FloatToInt64(double f);
// Go's wrapping int64 arithmetic.
int64_t WrapAdd(int64_t a, int64_t b);
int64_t WrapSub(int64_t a, int64_t b);
int64_t WrapMul(int64_t a, int64_t b);
// cast.ToInt64 / cast.ToFloat64: lenient, 0 when the value does not convert.
int64_t ToInt64(const Value& v);
double ToFloat64(const Value& v);

std::string Lower(std::string s);
std::string Upper(std::string s);
// strings.Trim/TrimLeft/TrimRight with a cutset; TrimSpace.
std::string TrimCut(std::string_view s, std::string_view cut, bool left, bool right);
std::string TrimSpace(std::string_view s);
// strings.Replace(s, from, to, n) (n < 0: all).
std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to,
                       int64_t n = -1);
// A compiled regex from a small shared cache; null (with *err) when RE2 refuses it.
std::shared_ptr<RE2> Regex(const std::string& pattern, std::string* err);
// Regexp.ReplaceAllString / ReplaceAllLiteralString; FindAllStringIndex count.
std::string RegexReplace(const RE2& re, std::string_view src, std::string_view repl, bool literal);
size_t RegexCount(const RE2& re, std::string_view src);
// sprig's empty(): nil, "", 0, false, empty collections.
bool Empty(const Value& v);
// text/template's eq/lt on basic kinds: -1/0/1, or Go's error text.
Result<int> CompareValues(const Value& a, const Value& b, bool ordered);
std::string QueryEscape(std::string_view s);
Result<std::string> QueryUnescape(std::string_view s);
std::string B64Enc(std::string_view s);
// sprig's b64dec: the decoded text, or Go's error text when the input is not base64.
std::string B64Dec(std::string_view s);
// strings.Title (ASCII).
std::string Title(std::string s);
// A time argument: a time, or unix seconds as an int.
bool TimeArg(const Value& v, int64_t* sec, int64_t* nanos);
std::string HtmlEscape(std::string_view s);

}  // namespace sawmill::query::log::tmpl
