#include "ingest/otlp_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace sawmill::ingest {
namespace {

bool IsAsciiAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void AppendBase64(std::string_view in, std::string* out) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8 |
                 static_cast<uint8_t>(in[i + 2]);
    out->push_back(kDigits[v >> 18]);
    out->push_back(kDigits[(v >> 12) & 63]);
    out->push_back(kDigits[(v >> 6) & 63]);
    out->push_back(kDigits[v & 63]);
  }
  if (size_t rest = in.size() - i; rest > 0) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out->push_back(kDigits[v >> 18]);
    out->push_back(kDigits[(v >> 12) & 63]);
    out->push_back(rest == 2 ? kDigits[(v >> 6) & 63] : '=');
    out->push_back('=');
  }
}

// Go's encoding/json float64 encoding (finite values only).
void AppendGoJsonFloat(double f, std::string* out) {
  char buf[64];
  double abs = std::fabs(f);
  bool exp = abs != 0 && (abs < 1e-6 || abs >= 1e21);
  auto res = exp ? std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific)
                 : std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::fixed);
  size_t n = static_cast<size_t>(res.ptr - buf);
  if (exp && n >= 4 && buf[n - 4] == 'e' && buf[n - 3] == '-' && buf[n - 2] == '0') {
    buf[n - 2] = buf[n - 1];  // e-07 -> e-7
    --n;
  }
  out->append(buf, n);
}

void AppendGoFloatG(double f, std::string* out) {
  if (std::isnan(f)) {
    out->append("NaN");
  } else {
    out->append(f > 0 ? "+Inf" : "-Inf");
  }
}

// encoding/json's string encoding with HTML escaping. REQUIRES: `s` is UTF-8.
void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out->append("\\\"");
        continue;
      case '\\':
        out->append("\\\\");
        continue;
      case '\b':
        out->append("\\b");
        continue;
      case '\f':
        out->append("\\f");
        continue;
      case '\n':
        out->append("\\n");
        continue;
      case '\r':
        out->append("\\r");
        continue;
      case '\t':
        out->append("\\t");
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else if (c == 0xe2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) & 0xfe) == 0xa8) {
      out->append(static_cast<unsigned char>(s[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029");
      i += 2;
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

void AppendJson(const OtlpValue& v, std::string* out) {
  using Kind = OtlpValue::Kind;
  switch (v.kind) {
    case Kind::kEmpty:
      out->append("null");
      return;
    case Kind::kString:
      AppendJsonString(v.bytes, out);
      return;
    case Kind::kBool:
      out->append(v.bool_value ? "true" : "false");
      return;
    case Kind::kInt:
      out->append(std::to_string(v.int_value));
      return;
    case Kind::kDouble:
      // encoding/json refuses NaN and infinities (the whole value then prints as "");
      // null keeps the rest of the document.
      if (std::isfinite(v.double_value)) {
        AppendGoJsonFloat(v.double_value, out);
      } else {
        out->append("null");
      }
      return;
    case Kind::kBytes:
      out->push_back('"');
      AppendBase64(v.bytes, out);
      out->push_back('"');
      return;
    case Kind::kArray:
      out->push_back('[');
      for (size_t i = 0; i < v.array.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJson(v.array[i], out);
      }
      out->push_back(']');
      return;
    case Kind::kKvList: {
      // A Go map: sorted keys, the last of a repeated key.
      std::vector<const OtlpKeyValue*> sorted;
      sorted.reserve(v.kvlist.size());
      for (const OtlpKeyValue& kv : v.kvlist) sorted.push_back(&kv);
      std::stable_sort(
          sorted.begin(), sorted.end(),
          [](const OtlpKeyValue* a, const OtlpKeyValue* b) { return a->key < b->key; });
      out->push_back('{');
      bool first = true;
      for (size_t i = 0; i < sorted.size(); ++i) {
        if (i + 1 < sorted.size() && sorted[i + 1]->key == sorted[i]->key) continue;
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(sorted[i]->key, out);
        out->push_back(':');
        AppendJson(sorted[i]->value, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

void AppendOtlpAsString(const OtlpValue& v, std::string* out) {
  using Kind = OtlpValue::Kind;
  switch (v.kind) {
    case Kind::kEmpty:
      return;
    case Kind::kString:
      out->append(v.bytes);
      return;
    case Kind::kBytes:
      AppendBase64(v.bytes, out);
      return;
    case Kind::kDouble:
      if (std::isfinite(v.double_value)) {
        AppendGoJsonFloat(v.double_value, out);
      } else {
        out->append("json: unsupported value: ");
        AppendGoFloatG(v.double_value, out);
      }
      return;
    default:
      AppendJson(v, out);
  }
}

bool IsNormalizedLabelName(std::string_view name) {
  if (name.empty()) return true;
  for (char c : name) {
    if (c != '_' && !IsAsciiAlnum(static_cast<unsigned char>(c))) return false;
  }
  if (name[0] >= '0' && name[0] <= '9') return false;
  if (name[0] == '_' && (name.size() < 2 || name[1] != '_')) return false;
  return true;
}

void AppendNormalizedLabelName(std::string_view name, std::string* out) {
  if (name.empty()) return;
  std::string mapped;
  mapped.reserve(name.size());
  for (size_t i = 0; i < name.size();) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      mapped.push_back(IsAsciiAlnum(c) ? static_cast<char>(c) : '_');
      ++i;
      continue;
    }
    // One '_' per UTF-8 character (lead byte plus its continuation bytes).
    mapped.push_back('_');
    ++i;
    while (i < name.size() && (static_cast<unsigned char>(name[i]) & 0xc0) == 0x80) ++i;
  }
  if (mapped[0] >= '0' && mapped[0] <= '9') {
    out->append("key_");
  } else if (mapped[0] == '_' && (mapped.size() < 2 || mapped[1] != '_')) {
    out->append("key");
  }
  out->append(mapped);
}

}  // namespace sawmill::ingest
