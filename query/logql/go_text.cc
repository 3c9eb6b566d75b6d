// Go string quoting and float formatting (go_text.h); durations and bytes are in
// go_text_units.cc.
#include "query/logql/go_text.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "storage/utf8.h"

namespace sawmill::query::logql {
namespace {

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one UTF-8 rune at s[i]; returns its length, or 0 when invalid.
int DecodeRune(std::string_view s, size_t i, uint32_t* r) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    *r = b;
    return 1;
  }
  int n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
  if (n == 0 || b > 0xF4 || i + n > s.size()) return 0;
  uint32_t v = b & (0x7F >> n);
  for (int k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    v = (v << 6) | (c & 0x3F);
  }
  if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
      (v >= 0xD800 && v <= 0xDFFF)) {
    return 0;
  }
  *r = v;
  return n;
}

bool IsPrintRune(uint32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r >= 0x80 && r <= 0xA0) return false;
  if (r == 0xAD || r == 0x2028 || r == 0x2029 || r == 0xFEFF) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;  // private use
  if ((r & 0xFFFE) == 0xFFFE) return false;
  return true;
}

}  // namespace

bool GoUnquoteBody(std::string_view body, std::string* out, std::string* error) {
  out->clear();
  out->reserve(body.size());
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= body.size()) {
      *error = "invalid char escape";
      return false;
    }
    char e = body[i + 1];
    i += 2;
    switch (e) {
      case 'a':
        out->push_back('\a');
        continue;
      case 'b':
        out->push_back('\b');
        continue;
      case 'f':
        out->push_back('\f');
        continue;
      case 'n':
        out->push_back('\n');
        continue;
      case 'r':
        out->push_back('\r');
        continue;
      case 't':
        out->push_back('\t');
        continue;
      case 'v':
        out->push_back('\v');
        continue;
      case '\\':
        out->push_back('\\');
        continue;
      case '"':
        out->push_back('"');
        continue;
      default:
        break;
    }
    if (e >= '0' && e <= '7') {
      if (i + 2 > body.size() || body[i] < '0' || body[i] > '7' || body[i + 1] < '0' ||
          body[i + 1] > '7') {
        *error = "invalid char escape";
        return false;
      }
      int v = (e - '0') * 64 + (body[i] - '0') * 8 + (body[i + 1] - '0');
      i += 2;
      if (v > 255) {
        *error = "invalid syntax";
        return false;
      }
      out->push_back(static_cast<char>(v));
      continue;
    }
    int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (digits == 0 || i + digits > body.size()) {
      *error = "invalid char escape";
      return false;
    }
    uint32_t v = 0;
    for (int k = 0; k < digits; ++k) {
      int h = HexVal(body[i + k]);
      if (h < 0) {
        *error = "invalid char escape";
        return false;
      }
      v = v * 16 + static_cast<uint32_t>(h);
    }
    i += digits;
    if (e == 'x') {
      out->push_back(static_cast<char>(v));
    } else {
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *error = "invalid char escape";
        return false;
      }
      AppendUtf8(out, v);
    }
  }
  return true;
}

void AppendGoQuote(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    uint32_t r;
    int n = DecodeRune(s, i, &r);
    if (n == 0) {
      auto b = static_cast<unsigned char>(s[i]);
      out->append("\\x");
      out->push_back(kHex[b >> 4]);
      out->push_back(kHex[b & 15]);
      ++i;
      continue;
    }
    switch (r) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\a':
        out->append("\\a");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\v':
        out->append("\\v");
        break;
      default:
        if (IsPrintRune(r)) {
          out->append(s.substr(i, n));
        } else if (r < 0x20 || r == 0x7F) {
          out->append("\\x");
          out->push_back(kHex[r >> 4]);
          out->push_back(kHex[r & 15]);
        } else {
          int width = r < 0x10000 ? 4 : 8;
          out->append(r < 0x10000 ? "\\u" : "\\U");
          for (int k = width - 1; k >= 0; --k) out->push_back(kHex[(r >> (4 * k)) & 15]);
        }
    }
    i += n;
  }
  out->push_back('"');
}

std::string GoQuote(std::string_view s) {
  std::string out;
  AppendGoQuote(&out, s);
  return out;
}

std::string GoFormatFloatV(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Shortest round-trip digits and decimal exponent.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t epos = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < epos; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  int exp = std::atoi(sci.c_str() + epos + 1);
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {  // %g with the shortest precision: eprec is 6
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    char e[16];
    std::snprintf(e, sizeof(e), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out.append(e);
    return out;
  }
  return out + GoFormatFloatF(neg ? -v : v);
}

std::string GoFormatFloatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

namespace {

enum class FloatParse { kOk, kSyntax, kRange };

FloatParse ParseFloat(std::string_view s, double* out) {
  if (s.empty()) return FloatParse::kSyntax;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    uint64_t v = 0;
    auto res = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
    if (res.ec != std::errc() || res.ptr != s.data() + s.size()) return FloatParse::kSyntax;
    *out = static_cast<double>(v);
    return FloatParse::kOk;
  }
  for (char c : s) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
          c == '+' || c == '-')) {
      return FloatParse::kSyntax;
    }
  }
  std::string tmp(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(tmp.c_str(), &end);
  if (end != tmp.c_str() + tmp.size()) return FloatParse::kSyntax;
  // Go answers ±Inf with an error past float64's range; an underflow to 0 is no error.
  if (errno == ERANGE && std::isinf(v)) return FloatParse::kRange;
  *out = v;
  return FloatParse::kOk;
}

}  // namespace

bool GoParseFloat(std::string_view s, double* out) { return ParseFloat(s, out) == FloatParse::kOk; }

std::string GoParseFloatError(std::string_view s) {
  double ignored;
  return "strconv.ParseFloat: parsing " + GoQuote(s) +
         (ParseFloat(s, &ignored) == FloatParse::kRange ? ": value out of range"
                                                        : ": invalid syntax");
}

}  // namespace sawmill::query::logql
