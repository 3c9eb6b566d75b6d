#include "query/log/units.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "query/log/label_name.h"
#include "query/logql/go_text.h"

namespace sawmill::query::log {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s.substr(i));
      if (n == 0) {
        char buf[8];
        snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
  return out;
}

bool ParseGoFloat(std::string_view s, double* out, std::string* err) {
  auto syntax = [&] {
    *err = "strconv.ParseFloat: parsing " + GoQuote(s) + ": invalid syntax";
    return false;
  };
  if (s.empty()) return syntax();
  std::string_view body = s;
  bool neg = false;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (EqualFold(body, "inf") || EqualFold(body, "infinity")) {
    *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (s.size() == 3 && EqualFold(s, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  // Decimal: digits, optional '.', digits, optional exponent; '_' only between digits (Go
  // allows underscores only with a base prefix, so refuse them).
  bool hex = body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
  size_t i = hex ? 2 : 0;
  bool digits = false;
  auto is_digit = [&](char c) {
    return (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
  };
  while (i < body.size() && is_digit(body[i])) ++i, digits = true;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && is_digit(body[i])) ++i, digits = true;
  }
  if (!digits) return syntax();
  if (i < body.size() && ((!hex && (body[i] == 'e' || body[i] == 'E')) ||
                          (hex && (body[i] == 'p' || body[i] == 'P')))) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    size_t start = i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i;
    if (i == start) return syntax();
  } else if (hex) {
    return syntax();  // Go needs the p exponent in hex floats
  }
  if (i != body.size()) return syntax();
  std::string copy(s);
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return syntax();
  if (errno == ERANGE && std::isinf(v)) {
    *err = "strconv.ParseFloat: parsing " + GoQuote(s) + ": value out of range";
    return false;
  }
  *out = v;
  return true;
}

bool ParseGoDuration(std::string_view s, int64_t* out, std::string* err) {
  return logql::ParseGoDuration(s, out, err);
}

bool ParseHumanBytes(std::string_view s, uint64_t* out, std::string* err) {
  size_t last = 0;
  bool comma = false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == ',')) break;
    if (c == ',') comma = true;
    ++last;
  }
  std::string num(s.substr(0, last));
  if (comma) std::erase(num, ',');
  double f;
  if (!ParseGoFloat(num, &f, err)) return false;
  std::string_view extra = s.substr(last);
  while (!extra.empty() && (extra.front() == ' ' || extra.front() == '\t')) extra.remove_prefix(1);
  while (!extra.empty() && (extra.back() == ' ' || extra.back() == '\t')) extra.remove_suffix(1);
  std::string unit;
  for (char c : extra) unit.push_back(Lower(c));
  struct Unit {
    const char* name;
    double mult;
  };
  static const Unit kUnits[] = {
      {"", 1},
      {"b", 1},
      {"k", 1e3},
      {"kb", 1e3},
      {"ki", 1024.0},
      {"kib", 1024.0},
      {"m", 1e6},
      {"mb", 1e6},
      {"mi", 1048576.0},
      {"mib", 1048576.0},
      {"g", 1e9},
      {"gb", 1e9},
      {"gi", 1073741824.0},
      {"gib", 1073741824.0},
      {"t", 1e12},
      {"tb", 1e12},
      {"ti", 1099511627776.0},
      {"tib", 1099511627776.0},
      {"p", 1e15},
      {"pb", 1e15},
      {"pi", 1125899906842624.0},
      {"pib", 1125899906842624.0},
      {"e", 1e18},
      {"eb", 1e18},
      {"ei", 1152921504606846976.0},
      {"eib", 1152921504606846976.0},
  };
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      f *= u.mult;
      if (f >= 18446744073709551615.0) {
        *err = "too large: " + std::string(s);
        return false;
      }
      *out = static_cast<uint64_t>(f);
      return true;
    }
  }
  *err = "unhandled size name: " + unit;
  return false;
}

}  // namespace sawmill::query::log
