// JsonReader: a small pull parser for the JSON push formats (json_push.cc,
// json_push_legacy.cc). The schema code drives it value by value, so there is no DOM and no
// per-value allocation: strings are returned as views into the buffer, and strings with
// escapes are unescaped in place (an unescaped string is never longer than its escaped form),
// so the buffer must be a mutable copy owned by the caller.
//
// Strict RFC 8259 syntax, except that lone UTF-16 surrogates in \u escapes become U+FFFD
// (as Go's encoding/json does) and raw bytes are not checked for UTF-8 validity. Values that
// are skipped may nest up to kMaxJsonDepth levels. Not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/status.h"

namespace sawmill::ingest {

inline constexpr int kMaxJsonDepth = 64;

class JsonReader {
 public:
  // `document` names what is read in syntax errors ("malformed <document>: ...").
  JsonReader(char* begin, char* end, std::string_view document = "JSON push request")
      : begin_(begin), p_(begin), end_(end), document_(document) {}

  // Bytes consumed so far.
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }

  void SkipWs() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  // Skips whitespace; true when the next byte is `c` (not consumed).
  bool At(char c) {
    SkipWs();
    return p_ < end_ && *p_ == c;
  }
  bool AtEnd() {
    SkipWs();
    return p_ == end_;
  }
  // Consumes `null` when it comes next (REQUIRES: whitespace skipped).
  bool TryNull() { return TryLiteral("null"); }

  // REQUIRES: At('{'). Calls f(key) -> Status with the reader before each member's value;
  // f must consume the value.
  template <typename F>
  Status ForEachMember(F f);
  // REQUIRES: At('['). Calls f(index) -> Status before each element; f must consume it.
  template <typename F>
  Status ForEachElement(F f);

  // REQUIRES: At('"'). *out views the (unescaped) string in the buffer.
  Status ReadString(std::string_view* out);
  // A JSON number, as its text (e.g. "-1.5e3"); a syntax error when no number comes next.
  // REQUIRES: whitespace skipped.
  Status ReadNumberText(std::string_view* out);
  // `true` or `false`: consumes it and returns true with *value set; false (nothing consumed)
  // when neither comes next. REQUIRES: whitespace skipped.
  bool TryBool(bool* value);
  // Skips one value of any kind. REQUIRES: whitespace skipped.
  Status SkipValue(int depth = 0);

  // A string, or null read as "" (jsoniter's ReadString does the same). On a value of
  // another kind: "<path()>: <what> must be a string, got <kind>".
  template <typename PathFn>
  Status ReadStringOrNull(std::string_view* out, PathFn path, std::string_view what);
  // An object whose values are all strings (or null: no pairs), appended to *pairs in order.
  // Errors: "<path()>: <not_object>" and "<path()>.<key>: <value_what> must be a string, ...".
  template <typename PathFn>
  Status ReadStringMap(std::vector<std::pair<std::string_view, std::string_view>>* pairs,
                       PathFn path, std::string_view not_object, std::string_view value_what);

  // "a number", "an object", ...: the kind of value that comes next, for messages.
  const char* KindHere() const;

  // "malformed <document>: <what> at byte N (found 'x')".
  Status Syntax(std::string_view what) const;
  // A value of the wrong kind at `path` ("invalid JSON push request: <path>: <what>"), or a
  // syntax error when no value comes next at all.
  Status Mismatch(const std::string& path, std::string_view what) const;
  static Status Schema(const std::string& path, std::string_view what);

 private:
  bool TryLiteral(std::string_view lit);
  bool ReadHex4(uint32_t* cp);
  Status SkipNumber();

  char* begin_;
  char* p_;
  char* end_;
  std::string_view document_;
};

// encoding/json (and jsoniter in its compatible mode) match object keys case-insensitively.
// REQUIRES: `want` is lower case.
bool JsonKeyIs(std::string_view key, std::string_view want);

// Walks a push body's top level, `{"streams": [ <stream>, ... ]}` (other members skipped, null
// streams allowed), calling each_stream(i) positioned on the i-th element. Both push JSON
// formats share this shape; only their streams differ.
template <typename F>
Status ForEachPushStream(JsonReader& r, F each_stream) {
  if (r.AtEnd()) return r.Syntax("empty body, expected an object");
  if (!r.At('{')) return r.Syntax("expected an object");
  SAW_RETURN_IF_ERROR(r.ForEachMember([&](std::string_view key) -> Status {
    if (!JsonKeyIs(key, "streams")) return r.SkipValue(1);
    if (r.TryNull()) return Status::OK();
    if (!r.At('[')) return r.Mismatch("streams", "must be an array");
    return r.ForEachElement(each_stream);
  }));
  if (!r.AtEnd()) return r.Syntax("unexpected data after the top-level object");
  return Status::OK();
}

template <typename F>
Status JsonReader::ForEachMember(F f) {
  ++p_;  // '{'
  SkipWs();
  if (p_ < end_ && *p_ == '}') {
    ++p_;
    return Status::OK();
  }
  while (true) {
    if (!At('"')) return Syntax("expected a string key");
    std::string_view key;
    SAW_RETURN_IF_ERROR(ReadString(&key));
    if (!At(':')) return Syntax("expected ':' after an object key");
    ++p_;
    SkipWs();
    SAW_RETURN_IF_ERROR(f(key));
    SkipWs();
    if (p_ == end_) return Syntax("unterminated object");
    if (*p_ == ',') {
      ++p_;
      continue;
    }
    if (*p_ == '}') {
      ++p_;
      return Status::OK();
    }
    return Syntax("expected ',' or '}' in an object");
  }
}

template <typename F>
Status JsonReader::ForEachElement(F f) {
  ++p_;  // '['
  SkipWs();
  if (p_ < end_ && *p_ == ']') {
    ++p_;
    return Status::OK();
  }
  for (size_t i = 0;; ++i) {
    SkipWs();
    SAW_RETURN_IF_ERROR(f(i));
    SkipWs();
    if (p_ == end_) return Syntax("unterminated array");
    if (*p_ == ',') {
      ++p_;
      continue;
    }
    if (*p_ == ']') {
      ++p_;
      return Status::OK();
    }
    return Syntax("expected ',' or ']' in an array");
  }
}

template <typename PathFn>
Status JsonReader::ReadStringOrNull(std::string_view* out, PathFn path, std::string_view what) {
  SkipWs();
  if (TryNull()) {
    *out = {};
    return Status::OK();
  }
  if (!At('"')) {
    return Mismatch(path(), std::string(what) + " must be a string, got " + KindHere());
  }
  return ReadString(out);
}

template <typename PathFn>
Status JsonReader::ReadStringMap(std::vector<std::pair<std::string_view, std::string_view>>* pairs,
                                 PathFn path, std::string_view not_object,
                                 std::string_view value_what) {
  SkipWs();
  if (TryNull()) return Status::OK();
  if (!At('{')) return Mismatch(path(), not_object);
  return ForEachMember([&](std::string_view key) -> Status {
    std::string_view value;
    SAW_RETURN_IF_ERROR(ReadStringOrNull(
        &value, [&] { return path() + "." + std::string(key.substr(0, 64)); }, value_what));
    pairs->emplace_back(key, value);
    return Status::OK();
  });
}

}  // namespace sawmill::ingest
