#include "ingest/json_push.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace sawmill::ingest {
namespace {

using LabelPairs = std::vector<std::pair<std::string_view, std::string_view>>;

// Bytes that end the fast scan of a string: the quote, the backslash, control characters.
constexpr std::array<bool, 256> MakeStringStops() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}
constexpr std::array<bool, 256> kStringStops = MakeStringStops();

bool KeyIs(std::string_view key, std::string_view want) {
  // encoding/json (and jsoniter in compatible mode) match keys case-insensitively.
  if (key.size() != want.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != want[i]) return false;
  }
  return true;
}

std::string Quoted(std::string_view s) {
  constexpr size_t kMax = 64;
  std::string q = "\"";
  q.append(s.substr(0, kMax));
  if (s.size() > kMax) q.append("...");
  q.push_back('"');
  return q;
}

// Go-style quoting of a label value for Loki's label string: \\ \" \n escaped.
void AppendQuotedLabelValue(std::string* dst, std::string_view v) {
  dst->push_back('"');
  for (char c : v) {
    switch (c) {
      case '\\':
        dst->append("\\\\");
        break;
      case '"':
        dst->append("\\\"");
        break;
      case '\n':
        dst->append("\\n");
        break;
      default:
        dst->push_back(c);
    }
  }
  dst->push_back('"');
}

void AppendUtf8(char** w, uint32_t cp) {
  char* o = *w;
  if (cp < 0x80) {
    *o++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *o++ = static_cast<char>(0xC0 | (cp >> 6));
    *o++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *o++ = static_cast<char>(0xE0 | (cp >> 12));
    *o++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *o++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *o++ = static_cast<char>(0xF0 | (cp >> 18));
    *o++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *o++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *o++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
  *w = o;
}

// A single-pass parser over a mutable copy of the body (strings are unescaped in place,
// which is safe because an unescaped string is never longer than its escaped form).
class Parser {
 public:
  Parser(char* begin, char* end, PushRequest* out)
      : begin_(begin), p_(begin), end_(end), out_(out) {}

  Status Parse() {
    SkipWs();
    if (p_ == end_) return Syntax("empty body, expected an object");
    if (*p_ != '{') return Syntax("expected an object");
    SAW_RETURN_IF_ERROR(ForEachMember([this](std::string_view key) -> Status {
      if (KeyIs(key, "streams")) return ParseStreams();
      return SkipValue(1);
    }));
    SkipWs();
    if (p_ != end_) return Syntax("unexpected data after the top-level object");
    return Status::OK();
  }

 private:
  // --- Schema -------------------------------------------------------------------------

  Status ParseStreams() {
    SkipWs();
    if (TryNull()) return Status::OK();
    if (!At('[')) return Mismatch("streams", "must be an array");
    return ForEachElement([this](size_t i) -> Status {
      stream_index_ = i;
      return ParseStream();
    });
  }

  Status ParseStream() {
    if (!At('{')) return Mismatch(StreamPath(), "must be an object");
    PushStream& stream = out_->streams.emplace_back();
    bool saw_labels = false;
    SAW_RETURN_IF_ERROR(ForEachMember([&](std::string_view key) -> Status {
      if (KeyIs(key, "stream")) {
        saw_labels = true;
        return ParseLabels(&stream.labels);
      }
      if (KeyIs(key, "values")) return ParseValues(&stream.entries);
      return SkipValue(3);
    }));
    if (!saw_labels) stream.labels = "{}";
    return Status::OK();
  }

  Status ParseLabels(std::string_view* labels) {
    SkipWs();
    pairs_.clear();
    if (!TryNull()) {
      if (!At('{')) return Mismatch(StreamPath() + ".stream", "must be an object of labels");
      SAW_RETURN_IF_ERROR(ForEachMember([this](std::string_view key) -> Status {
        std::string_view value;
        SAW_RETURN_IF_ERROR(ParseStringValue(
            &value, [&] { return StreamPath() + ".stream." + std::string(key.substr(0, 64)); },
            "label value"));
        pairs_.emplace_back(key, value);
        return Status::OK();
      }));
    }
    // Sorted by name; of a repeated name the last value wins (a Go map's behaviour).
    std::stable_sort(pairs_.begin(), pairs_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string rendered = "{";
    for (size_t i = 0; i < pairs_.size(); ++i) {
      if (i + 1 < pairs_.size() && pairs_[i + 1].first == pairs_[i].first) continue;
      if (rendered.size() > 1) rendered.append(", ");
      rendered.append(pairs_[i].first);
      rendered.push_back('=');
      AppendQuotedLabelValue(&rendered, pairs_[i].second);
    }
    rendered.push_back('}');
    *labels = out_->Own(std::move(rendered));
    return Status::OK();
  }

  Status ParseValues(std::vector<PushEntry>* entries) {
    SkipWs();
    if (TryNull()) return Status::OK();
    if (!At('[')) return Mismatch(StreamPath() + ".values", "must be an array of entries");
    return ForEachElement([&](size_t j) -> Status {
      value_index_ = j;
      return ParseEntry(&entries->emplace_back());
    });
  }

  Status ParseEntry(PushEntry* e) {
    if (!At('[')) {
      return Mismatch(EntryPath(),
                      "must be an array [\"<unix ns>\", \"<line>\"] or "
                      "[\"<unix ns>\", \"<line>\", {<structured metadata>}]");
    }
    size_t items = 0;
    SAW_RETURN_IF_ERROR(ForEachElement([&](size_t k) -> Status {
      items = k + 1;
      switch (k) {
        case 0:
          return ParseTimestamp(&e->ts_ns);
        case 1:
          return ParseStringValue(
              &e->line, [&] { return EntryPath() + "[1]"; }, "line");
        case 2:
          return ParseMetadata(&e->metadata);
        default:
          return Schema(EntryPath(), "array must contain 2 or 3 values");
      }
    }));
    if (items < 2) return Schema(EntryPath(), "array must contain 2 or 3 values");
    return Status::OK();
  }

  Status ParseTimestamp(int64_t* ts_ns) {
    if (!At('"')) {
      return Mismatch(EntryPath() + "[0]", std::string("timestamp must be a string of integer "
                                                       "Unix nanoseconds, got ") +
                                               KindHere());
    }
    std::string_view s;
    SAW_RETURN_IF_ERROR(ParseString(&s));
    // strconv.ParseInt(s, 10, 64): an optional sign, then decimal digits only.
    size_t i = 0;
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
      negative = s[0] == '-';
      i = 1;
    }
    if (i == s.size()) return BadTimestamp(s, "invalid syntax");
    uint64_t v = 0;
    const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c < '0' || c > '9') return BadTimestamp(s, "invalid syntax");
      uint64_t d = static_cast<uint64_t>(c - '0');
      if (v > (limit - d) / 10) return BadTimestamp(s, "value out of range");
      v = v * 10 + d;
    }
    *ts_ns = negative ? static_cast<int64_t>(-v) : static_cast<int64_t>(v);
    return Status::OK();
  }

  Status ParseMetadata(LabelPairs* metadata) {
    if (TryNull()) return Status::OK();
    if (!At('{')) return Mismatch(EntryPath() + "[2]", "structured metadata must be an object");
    return ForEachMember([&](std::string_view key) -> Status {
      std::string_view value;
      SAW_RETURN_IF_ERROR(ParseStringValue(
          &value, [&] { return EntryPath() + "[2]." + std::string(key.substr(0, 64)); },
          "structured metadata value"));
      metadata->emplace_back(key, value);
      return Status::OK();
    });
  }

  // A string, or null read as "" (jsoniter's ReadString does the same).
  template <typename PathFn>
  Status ParseStringValue(std::string_view* out, PathFn path, std::string_view what) {
    SkipWs();
    if (TryNull()) {
      *out = {};
      return Status::OK();
    }
    if (!At('"')) {
      return Mismatch(path(), std::string(what) + " must be a string, got " + KindHere());
    }
    return ParseString(out);
  }

  // --- JSON syntax --------------------------------------------------------------------

  void SkipWs() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool At(char c) {
    SkipWs();
    return p_ < end_ && *p_ == c;
  }
  bool TryLiteral(std::string_view lit) {
    if (static_cast<size_t>(end_ - p_) >= lit.size() &&
        std::memcmp(p_, lit.data(), lit.size()) == 0) {
      p_ += lit.size();
      return true;
    }
    return false;
  }
  bool TryNull() { return TryLiteral("null"); }

  // Calls f(key) with p_ before each member's value; f must consume the value.
  template <typename F>
  Status ForEachMember(F f) {
    ++p_;  // '{'
    SkipWs();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return Status::OK();
    }
    while (true) {
      if (!At('"')) return Syntax("expected a string key");
      std::string_view key;
      SAW_RETURN_IF_ERROR(ParseString(&key));
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

  // Calls f(index) with p_ before each element; f must consume the element.
  template <typename F>
  Status ForEachElement(F f) {
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

  // REQUIRES: *p_ == '"'. Unescapes in place; *out views the body copy.
  Status ParseString(std::string_view* out) {
    char* open = p_;
    char* start = ++p_;
    char* w = nullptr;  // write position once an escape has been seen
    while (true) {
      char* seg = p_;
      while (p_ < end_ && !kStringStops[static_cast<unsigned char>(*p_)]) ++p_;
      if (w != nullptr && p_ != seg) {
        std::memmove(w, seg, static_cast<size_t>(p_ - seg));
        w += p_ - seg;
      }
      if (p_ == end_) {
        p_ = open;
        return Syntax("unterminated string");
      }
      char c = *p_;
      if (c == '"') {
        *out = std::string_view(start, static_cast<size_t>((w ? w : p_) - start));
        ++p_;
        return Status::OK();
      }
      if (c != '\\') return Syntax("control character in a string (must be escaped)");
      if (w == nullptr) w = p_;
      if (end_ - p_ < 2) return Syntax("unterminated string");
      char e = p_[1];
      p_ += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          *w++ = e;
          break;
        case 'b':
          *w++ = '\b';
          break;
        case 'f':
          *w++ = '\f';
          break;
        case 'n':
          *w++ = '\n';
          break;
        case 'r':
          *w++ = '\r';
          break;
        case 't':
          *w++ = '\t';
          break;
        case 'u': {
          uint32_t cp;
          if (!ReadHex4(&cp)) return Syntax("invalid \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            char* save = p_;
            if (end_ - p_ >= 2 && p_[0] == '\\' && p_[1] == 'u' && (p_ += 2, ReadHex4(&lo)) &&
                lo >= 0xDC00 && lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              p_ = save;
              cp = 0xFFFD;  // a lone surrogate, replaced as encoding/json does
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD;
          }
          AppendUtf8(&w, cp);
          break;
        }
        default:
          p_ -= 2;
          return Syntax("invalid escape in a string");
      }
    }
  }

  bool ReadHex4(uint32_t* cp) {
    if (end_ - p_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = p_[i];
      uint32_t d;
      if (c >= '0' && c <= '9') {
        d = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        d = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        d = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
      v = v << 4 | d;
    }
    p_ += 4;
    *cp = v;
    return true;
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  Status SkipNumber() {
    char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ < end_ && *p_ == '0') {
      ++p_;
    } else if (p_ < end_ && IsDigit(*p_)) {
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    } else {
      p_ = start;
      return Syntax("invalid value");
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return Syntax("invalid number");
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return Syntax("invalid number");
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    return Status::OK();
  }

  // Skips one value of any kind (unknown keys). REQUIRES: whitespace skipped.
  Status SkipValue(int depth) {
    if (depth > kMaxJsonDepth) return Syntax("nesting deeper than 64 levels");
    if (p_ == end_) return Syntax("expected a value");
    std::string_view ignored;
    switch (*p_) {
      case '"':
        return ParseString(&ignored);
      case '{':
        return ForEachMember([&](std::string_view) { return SkipValue(depth + 1); });
      case '[':
        return ForEachElement([&](size_t) { return SkipValue(depth + 1); });
      case 't':
        if (TryLiteral("true")) return Status::OK();
        break;
      case 'f':
        if (TryLiteral("false")) return Status::OK();
        break;
      case 'n':
        if (TryLiteral("null")) return Status::OK();
        break;
      default:
        return SkipNumber();
    }
    return Syntax("invalid value");
  }

  // --- Errors -------------------------------------------------------------------------

  // What kind of JSON value starts at p_, for messages.
  const char* KindHere() const {
    if (p_ == end_) return "end of input";
    switch (*p_) {
      case '"':
        return "a string";
      case '{':
        return "an object";
      case '[':
        return "an array";
      case 't':
      case 'f':
        return "a boolean";
      case 'n':
        return "null";
      default:
        return (*p_ == '-' || IsDigit(*p_)) ? "a number" : "an invalid value";
    }
  }

  std::string StreamPath() const { return "streams[" + std::to_string(stream_index_) + "]"; }
  std::string EntryPath() const {
    return StreamPath() + ".values[" + std::to_string(value_index_) + "]";
  }

  Status Syntax(std::string_view what) const {
    std::string msg = "malformed JSON push request: ";
    msg.append(what);
    msg.append(" at byte ");
    msg.append(std::to_string(p_ - begin_));
    if (p_ == end_) {
      msg.append(" (unexpected end of input)");
    } else {
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c >= 0x20 && c < 0x7f) {
        msg.append(" (found '");
        msg.push_back(static_cast<char>(c));
        msg.append("')");
      }
    }
    return Status::InvalidArgument(std::move(msg));
  }

  // A value of the wrong kind; a syntax error when there is no value at all.
  Status Mismatch(const std::string& path, std::string_view what) const {
    if (p_ == end_ || *p_ == ']' || *p_ == '}' || *p_ == ',' || *p_ == ':') {
      return Syntax("expected a value");
    }
    return Schema(path, what);
  }

  static Status Schema(const std::string& path, std::string_view what) {
    std::string msg = "invalid JSON push request: ";
    msg.append(path);
    msg.append(": ");
    msg.append(what);
    return Status::InvalidArgument(std::move(msg));
  }

  Status BadTimestamp(std::string_view s, std::string_view why) const {
    return Schema(EntryPath() + "[0]", "invalid timestamp " + Quoted(s) + " (" + std::string(why) +
                                           "): must be a string of integer Unix nanoseconds");
  }

  char* begin_;
  char* p_;
  char* end_;
  PushRequest* out_;
  size_t stream_index_ = 0;
  size_t value_index_ = 0;
  LabelPairs pairs_;  // scratch for one stream's labels
};

}  // namespace

Status DecodeJsonPushOwned(std::string body, PushRequest* out) {
  out->streams.clear();
  out->storage.clear();
  out->storage.push_back(std::move(body));
  std::string& owned = out->storage.back();
  Parser parser(owned.data(), owned.data() + owned.size(), out);
  return parser.Parse();
}

Status DecodeJsonPush(std::string_view body, PushRequest* out) {
  return DecodeJsonPushOwned(std::string(body), out);
}

}  // namespace sawmill::ingest
