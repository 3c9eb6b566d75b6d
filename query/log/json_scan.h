// A port of the scanning rules of github.com/buger/jsonparser, which Loki's `json` and
// `unpack` stages use: they are lenient in Loki's particular ways (values are delimited, not
// validated) and their error texts become __error_details__, so they are reproduced exactly:
//   "Value looks like object, but can't find closing '}' symbol", "Malformed JSON error", ...
//
// All functions work on views of the input and never allocate, except UnescapeJsonString.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sawmill::query::log::json {

enum class ValueType { kNotExist, kString, kNumber, kObject, kArray, kBoolean, kNull, kUnknown };

inline constexpr std::string_view kMalformedJson = "Malformed JSON error";
inline constexpr std::string_view kMalformedObject =
    "Value looks like object, but can't find closing '}' symbol";
inline constexpr std::string_view kMalformedArray =
    "Value is array, but can't find closing ']' symbol";
inline constexpr std::string_view kMalformedString =
    "Value is string, but can't find closing '\"' symbol";
inline constexpr std::string_view kMalformedValue =
    "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol";
inline constexpr std::string_view kMalformedStringEscape =
    "Encountered an invalid escape sequence in a string";
inline constexpr std::string_view kUnknownValueType = "Unknown value type";

struct Value {
  std::string_view data;  // strings without their quotes, still escaped
  ValueType type = ValueType::kNotExist;
  size_t end = 0;  // offset just after the value in the input
};

// The value starting at the first non-blank byte of `data` (jsonparser.Get without keys).
// Returns an error text, or an empty view on success.
std::string_view GetValue(std::string_view data, Value* out);

// Calls fn(key, value) for each member of the object `data` holds (jsonparser.ObjectEach).
// Keys are unescaped into `key_buf` when needed. `fn` returns an error text to stop, or an
// empty view. Returns the first error.
template <typename Fn>
std::string_view ObjectEach(std::string_view data, std::string* key_buf, Fn&& fn);

// jsonparser.Unescape: resolves \" \\ \/ \b \f \n \r \t \uXXXX (surrogate pairs). Returns false
// on an invalid escape. `out` receives the text (a copy of `in` when it has no backslash).
bool UnescapeJsonString(std::string_view in, std::string* out);

// Offset of the first byte that is not ' ', '\n', '\r', '\t', or npos.
size_t NextToken(std::string_view data);
// Offset just after the closing quote of a string whose opening quote was just before
// `data`, or npos. Sets *escaped when the string has a backslash.
size_t StringEnd(std::string_view data, bool* escaped);

template <typename Fn>
std::string_view ObjectEach(std::string_view data, std::string* key_buf, Fn&& fn) {
  constexpr size_t npos = std::string_view::npos;
  size_t offset = 0;
  size_t off = NextToken(data);
  if (off == npos) return kMalformedObject;
  offset += off;
  if (data[offset] != '{') return kMalformedObject;
  ++offset;
  off = NextToken(data.substr(offset));
  if (off == npos) return kMalformedJson;
  offset += off;
  if (data[offset] == '}') return {};
  while (offset < data.size()) {
    if (data[offset] == '}') return {};
    if (data[offset] != '"') return kMalformedObject;
    ++offset;
    bool escaped = false;
    off = StringEnd(data.substr(offset), &escaped);
    if (off == npos) return kMalformedJson;
    std::string_view key = data.substr(offset, off - 1);
    offset += off;
    if (escaped) {
      if (!UnescapeJsonString(key, key_buf)) return kMalformedStringEscape;
      key = *key_buf;
    }
    off = NextToken(data.substr(offset));
    if (off == npos) return kMalformedJson;
    offset += off;
    if (data[offset] != ':') return kMalformedJson;
    ++offset;
    Value v;
    std::string_view err = GetValue(data.substr(offset), &v);
    if (!err.empty()) return err;
    err = fn(key, v);
    if (!err.empty()) return err;
    offset += v.end;
    off = NextToken(data.substr(offset));
    if (off == npos) return kMalformedArray;
    offset += off;
    if (data[offset] == '}') return {};
    if (data[offset] != ',') return kMalformedObject;
    ++offset;
    off = NextToken(data.substr(offset));
    if (off == npos) return kMalformedArray;
    offset += off;
  }
  return kMalformedObject;
}

}  // namespace sawmill::query::log::json
