#include "ingest/otlp_json.h"

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

#include "ingest/json_reader.h"

namespace sawmill::ingest {
namespace {

// Where the reader is, for error messages, built only when one is needed: a chain of
// `.name` and `[index]` segments on the stack.
struct Path {
  const Path* parent = nullptr;
  std::string_view name;  // empty: an array index
  size_t index = 0;

  Path Member(std::string_view n) const { return Path{this, n, 0}; }
  Path Element(size_t i) const { return Path{this, {}, i}; }

  std::string ToString() const {
    std::string s = parent != nullptr ? parent->ToString() : std::string();
    if (!name.empty()) {
      if (!s.empty()) s.push_back('.');
      s.append(name.substr(0, 64));
    } else if (parent != nullptr) {
      s += "[" + std::to_string(index) + "]";
    }
    return s;
  }
};

// `key` is `camel` or `snake` (OTLP's JSON names, or the proto field names pdata also takes).
bool Is(std::string_view key, std::string_view camel, std::string_view snake = {}) {
  return key == camel || (!snake.empty() && key == snake);
}

// Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF), or npos.
size_t FirstInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return i;
    }
    if (n - i < len) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xbf) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes `text` (hex) in place over its own bytes; false unless it is 2*want hex digits.
bool DecodeHexInPlace(std::string_view text, size_t want, std::string_view* out) {
  if (text.size() != 2 * want) return false;
  char* dst = const_cast<char*>(text.data());
  for (size_t i = 0; i < want; ++i) {
    int hi = HexDigit(text[2 * i]), lo = HexDigit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    dst[i] = static_cast<char>(hi << 4 | lo);
  }
  *out = std::string_view(dst, want);
  return true;
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;  // standard and URL-safe alphabets, as protojson
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Decodes base64 (padded or not) in place; false on a bad digit or length.
bool DecodeBase64InPlace(std::string_view text, std::string_view* out) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return false;
  char* dst = const_cast<char*>(text.data());
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int d = Base64Digit(c);
    if (d < 0) return false;
    acc = acc << 6 | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      dst[n++] = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  *out = std::string_view(dst, n);
  return true;
}

// OTLP's SeverityNumber enum names, index = value.
constexpr std::string_view kSeverityNames[] = {
    "SEVERITY_NUMBER_UNSPECIFIED", "SEVERITY_NUMBER_TRACE",  "SEVERITY_NUMBER_TRACE2",
    "SEVERITY_NUMBER_TRACE3",      "SEVERITY_NUMBER_TRACE4", "SEVERITY_NUMBER_DEBUG",
    "SEVERITY_NUMBER_DEBUG2",      "SEVERITY_NUMBER_DEBUG3", "SEVERITY_NUMBER_DEBUG4",
    "SEVERITY_NUMBER_INFO",        "SEVERITY_NUMBER_INFO2",  "SEVERITY_NUMBER_INFO3",
    "SEVERITY_NUMBER_INFO4",       "SEVERITY_NUMBER_WARN",   "SEVERITY_NUMBER_WARN2",
    "SEVERITY_NUMBER_WARN3",       "SEVERITY_NUMBER_WARN4",  "SEVERITY_NUMBER_ERROR",
    "SEVERITY_NUMBER_ERROR2",      "SEVERITY_NUMBER_ERROR3", "SEVERITY_NUMBER_ERROR4",
    "SEVERITY_NUMBER_FATAL",       "SEVERITY_NUMBER_FATAL2", "SEVERITY_NUMBER_FATAL3",
    "SEVERITY_NUMBER_FATAL4",
};

class Decoder {
 public:
  Decoder(char* begin, char* end, size_t max_items) : r_(begin, end), budget_(max_items) {}

  Status Request(OtlpLogs* out) {
    if (r_.AtEnd()) return r_.Syntax("empty body, expected an object");
    if (!r_.At('{')) return r_.Syntax("expected an object");
    Path root;
    SAW_RETURN_IF_ERROR(r_.ForEachMember([&](std::string_view key) -> Status {
      if (!Is(key, "resourceLogs", "resource_logs")) return r_.SkipValue(1);
      Path p = root.Member("resourceLogs");
      return Array(p, [&](const Path& e) -> Status {
        SAW_RETURN_IF_ERROR(budget_.Take());
        return ResourceLogs(e, &out->resource_logs.emplace_back());
      });
    }));
    if (!r_.AtEnd()) return r_.Syntax("unexpected data after the top-level object");
    return Status::OK();
  }

 private:
  // An array (or null) whose elements f(path) reads.
  template <typename F>
  Status Array(const Path& path, F f) {
    r_.SkipWs();
    if (r_.TryNull()) return Status::OK();
    if (!r_.At('[')) return r_.Mismatch(path.ToString(), "must be an array");
    return r_.ForEachElement([&](size_t i) { return f(path.Element(i)); });
  }

  // An object (or null) whose members f(key, path) reads (f must consume each value).
  template <typename F>
  Status Object(const Path& path, F f) {
    r_.SkipWs();
    if (r_.TryNull()) return Status::OK();
    if (!r_.At('{')) return r_.Mismatch(path.ToString(), "must be an object");
    return r_.ForEachMember([&](std::string_view key) { return f(key, path.Member(key)); });
  }

  Status String(const Path& path, std::string_view* out) {
    return r_.ReadStringOrNull(
        out, [&] { return path.ToString(); }, "the value");
  }

  // An integer as a JSON number or a string of one; `what` describes the range.
  template <typename T>
  Status Integer(const Path& path, T* out) {
    r_.SkipWs();
    if (r_.TryNull()) return Status::OK();
    std::string_view text;
    if (r_.At('"')) {
      SAW_RETURN_IF_ERROR(r_.ReadString(&text));
    } else if (r_.At('-') || (!r_.AtEnd() && std::string_view(r_.KindHere()) == "a number")) {
      SAW_RETURN_IF_ERROR(r_.ReadNumberText(&text));
    } else {
      return r_.Mismatch(path.ToString(), std::string("must be an integer, got ") + r_.KindHere());
    }
    T v{};
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      return JsonReader::Schema(path.ToString(), "\"" + std::string(text.substr(0, 64)) +
                                                     "\" is not an integer in range");
    }
    *out = v;
    return Status::OK();
  }

  Status ResourceLogs(const Path& path, OtlpResourceLogs* out) {
    return Object(path, [&](std::string_view key, const Path& p) -> Status {
      if (Is(key, "resource")) {
        return Object(p, [&](std::string_view k, const Path& q) -> Status {
          if (Is(k, "attributes")) return KeyValues(q, 0, &out->resource_attributes);
          return r_.SkipValue(1);
        });
      }
      if (Is(key, "scopeLogs", "scope_logs")) {
        return Array(p, [&](const Path& e) -> Status {
          SAW_RETURN_IF_ERROR(budget_.Take());
          return ScopeLogs(e, &out->scope_logs.emplace_back());
        });
      }
      return r_.SkipValue(1);
    });
  }

  Status ScopeLogs(const Path& path, OtlpScopeLogs* out) {
    return Object(path, [&](std::string_view key, const Path& p) -> Status {
      if (Is(key, "scope")) {
        return Object(p, [&](std::string_view k, const Path& q) -> Status {
          if (Is(k, "name")) return String(q, &out->scope_name);
          if (Is(k, "version")) return String(q, &out->scope_version);
          if (Is(k, "attributes")) return KeyValues(q, 0, &out->scope_attributes);
          if (Is(k, "droppedAttributesCount", "dropped_attributes_count")) {
            return Integer(q, &out->scope_dropped_attributes_count);
          }
          return r_.SkipValue(1);
        });
      }
      if (Is(key, "logRecords", "log_records")) {
        return Array(p, [&](const Path& e) -> Status {
          SAW_RETURN_IF_ERROR(budget_.Take(kOtlpRecordItems));
          return LogRecord(e, &out->log_records.emplace_back());
        });
      }
      return r_.SkipValue(1);
    });
  }

  Status SeverityNumber(const Path& path, int32_t* out) {
    r_.SkipWs();
    if (r_.At('"')) {
      std::string_view name;
      SAW_RETURN_IF_ERROR(r_.ReadString(&name));
      for (size_t i = 0; i < std::size(kSeverityNames); ++i) {
        if (name == kSeverityNames[i]) {
          *out = static_cast<int32_t>(i);
          return Status::OK();
        }
      }
      // A number in a string is accepted too.
      auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), *out);
      if (ec == std::errc() && ptr == name.data() + name.size()) return Status::OK();
      return JsonReader::Schema(path.ToString(),
                                "unknown severity \"" + std::string(name.substr(0, 64)) + "\"");
    }
    return Integer(path, out);
  }

  Status LogRecord(const Path& path, OtlpLogRecord* out) {
    return Object(path, [&](std::string_view key, const Path& p) -> Status {
      if (Is(key, "timeUnixNano", "time_unix_nano")) return Integer(p, &out->time_unix_nano);
      if (Is(key, "observedTimeUnixNano", "observed_time_unix_nano")) {
        return Integer(p, &out->observed_time_unix_nano);
      }
      if (Is(key, "severityNumber", "severity_number")) {
        return SeverityNumber(p, &out->severity_number);
      }
      if (Is(key, "severityText", "severity_text")) return String(p, &out->severity_text);
      if (Is(key, "body")) return AnyValue(p, 0, &out->body);
      if (Is(key, "attributes")) return KeyValues(p, 0, &out->attributes);
      if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
        return Integer(p, &out->dropped_attributes_count);
      }
      if (Is(key, "flags")) return Integer(p, &out->flags);
      if (Is(key, "traceId", "trace_id")) return Id(p, 16, &out->trace_id);
      if (Is(key, "spanId", "span_id")) return Id(p, 8, &out->span_id);
      return r_.SkipValue(1);
    });
  }

  // A trace (16 bytes) or span (8 bytes) id in hex; "" is no id.
  Status Id(const Path& path, size_t bytes, std::string_view* out) {
    std::string_view text;
    SAW_RETURN_IF_ERROR(String(path, &text));
    if (text.empty()) {
      *out = {};
      return Status::OK();
    }
    if (!DecodeHexInPlace(text, bytes, out)) {
      return JsonReader::Schema(path.ToString(), "must be " + std::to_string(2 * bytes) +
                                                     " hex digits, got \"" +
                                                     std::string(text.substr(0, 64)) + "\"");
    }
    return Status::OK();
  }

  Status KeyValues(const Path& path, int depth, std::vector<OtlpKeyValue>* out) {
    return Array(path, [&](const Path& e) -> Status {
      SAW_RETURN_IF_ERROR(budget_.Take(kOtlpValueItems));
      OtlpKeyValue& kv = out->emplace_back();
      return Object(e, [&](std::string_view key, const Path& p) -> Status {
        if (Is(key, "key")) return String(p, &kv.key);
        if (Is(key, "value")) return AnyValue(p, depth, &kv.value);
        return r_.SkipValue(1);
      });
    });
  }

  Status AnyValue(const Path& path, int depth, OtlpValue* out) {
    if (depth >= kMaxOtlpValueDepth) {
      return JsonReader::Schema(
          path.ToString(),
          "values nest deeper than " + std::to_string(kMaxOtlpValueDepth) + " levels");
    }
    using Kind = OtlpValue::Kind;
    return Object(path, [&](std::string_view key, const Path& p) -> Status {
      if (Is(key, "stringValue", "string_value")) {
        out->kind = Kind::kString;
        return String(p, &out->bytes);
      }
      if (Is(key, "boolValue", "bool_value")) {
        out->kind = Kind::kBool;
        r_.SkipWs();
        if (r_.TryNull()) return Status::OK();
        if (!r_.TryBool(&out->bool_value)) {
          return r_.Mismatch(p.ToString(), std::string("must be a boolean, got ") + r_.KindHere());
        }
        return Status::OK();
      }
      if (Is(key, "intValue", "int_value")) {
        out->kind = Kind::kInt;
        return Integer(p, &out->int_value);
      }
      if (Is(key, "doubleValue", "double_value")) {
        out->kind = Kind::kDouble;
        return Double(p, &out->double_value);
      }
      if (Is(key, "bytesValue", "bytes_value")) {
        out->kind = Kind::kBytes;
        std::string_view text;
        SAW_RETURN_IF_ERROR(String(p, &text));
        if (!DecodeBase64InPlace(text, &out->bytes)) {
          return JsonReader::Schema(p.ToString(), "must be base64");
        }
        return Status::OK();
      }
      if (Is(key, "arrayValue", "array_value")) {
        out->kind = Kind::kArray;
        return Object(p, [&](std::string_view k, const Path& q) -> Status {
          if (!Is(k, "values")) return r_.SkipValue(1);
          return Array(q, [&](const Path& e) -> Status {
            SAW_RETURN_IF_ERROR(budget_.Take(kOtlpValueItems));
            return AnyValue(e, depth + 1, &out->array.emplace_back());
          });
        });
      }
      if (Is(key, "kvlistValue", "kvlist_value")) {
        out->kind = Kind::kKvList;
        return Object(p, [&](std::string_view k, const Path& q) -> Status {
          if (!Is(k, "values")) return r_.SkipValue(1);
          return KeyValues(q, depth + 1, &out->kvlist);
        });
      }
      return r_.SkipValue(1);
    });
  }

  // A number, or a string holding one, "NaN", "Infinity" or "-Infinity" (protojson's forms).
  Status Double(const Path& path, double* out) {
    r_.SkipWs();
    if (r_.TryNull()) return Status::OK();
    std::string_view text;
    if (r_.At('"')) {
      SAW_RETURN_IF_ERROR(r_.ReadString(&text));
      if (text == "NaN") {
        *out = std::nan("");
        return Status::OK();
      }
      if (text == "Infinity" || text == "-Infinity") {
        *out = text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        return Status::OK();
      }
    } else if (std::string_view(r_.KindHere()) == "a number") {
      SAW_RETURN_IF_ERROR(r_.ReadNumberText(&text));
    } else {
      return r_.Mismatch(path.ToString(), std::string("must be a number, got ") + r_.KindHere());
    }
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    if ((ec != std::errc() && ec != std::errc::result_out_of_range) ||
        ptr != text.data() + text.size()) {
      return JsonReader::Schema(path.ToString(),
                                "\"" + std::string(text.substr(0, 64)) + "\" is not a number");
    }
    return Status::OK();
  }

  JsonReader r_;
  PushItemBudget budget_;
};

}  // namespace

Status DecodeOtlpJson(char* begin, char* end, OtlpLogs* out, size_t max_items) {
  out->resource_logs.clear();
  std::string_view all(begin, static_cast<size_t>(end - begin));
  if (size_t bad = FirstInvalidUtf8(all); bad != std::string_view::npos) {
    return Status::InvalidArgument("malformed JSON push request: invalid UTF-8 at byte " +
                                   std::to_string(bad));
  }
  return Decoder(begin, end, max_items).Request(out);
}

}  // namespace sawmill::ingest
