// Durations and byte sizes as Go, Prometheus and go-humanize read and print them (go_text.h).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <string>

#include "query/logql/go_text.h"

namespace sawmill::query::logql {

bool ParseGoDuration(std::string_view s, int64_t* ns) {
  if (ParseSimpleGoDuration(s, ns)) return true;
  return ParseGoDuration(s, ns, nullptr);
}

// Go's time.ParseDuration step by step: integers for the whole part, and for the fraction
// the same float64 product Go computes (f * (unit / scale)), so "2.000099s" is 2000099000 ns
// exactly and every input gives Go's answer.
bool ParseGoDuration(std::string_view orig, int64_t* ns, std::string* error) {
  auto fail = [&](std::string message) {
    if (error != nullptr) *error = std::move(message);
    return false;
  };
  auto invalid = [&] { return fail("time: invalid duration " + GoQuote(orig)); };
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *ns = 0;
    return true;
  }
  if (s.empty()) return invalid();
  constexpr uint64_t kMax = uint64_t{1} << 63;
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return invalid();
    // leadingInt
    uint64_t v = 0;
    size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (v > kMax / 10) return invalid();
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kMax) return invalid();
      ++i;
    }
    const bool pre = i > 0;
    // leadingFraction: stops gaining precision instead of overflowing.
    uint64_t frac = 0;
    double scale = 1;
    bool post = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      const size_t start = i;
      bool overflow = false;
      for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        if (overflow) continue;
        if (frac > (kMax - 1) / 10) {
          overflow = true;
          continue;
        }
        const uint64_t y = frac * 10 + static_cast<uint64_t>(s[i] - '0');
        if (y > kMax) {
          overflow = true;
          continue;
        }
        frac = y;
        scale *= 10;
      }
      post = i > start;
    }
    if (!pre && !post) return invalid();
    const size_t unit_start = i;
    while (i < s.size() && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9')) ++i;
    const std::string_view unit = s.substr(unit_start, i - unit_start);
    if (unit.empty()) return fail("time: missing unit in duration " + GoQuote(orig));
    uint64_t mult;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      mult = 1'000;
    } else if (unit == "ms") {
      mult = 1'000'000;
    } else if (unit == "s") {
      mult = 1'000'000'000;
    } else if (unit == "m") {
      mult = 60'000'000'000;
    } else if (unit == "h") {
      mult = 3'600'000'000'000;
    } else {
      return fail("time: unknown unit " + GoQuote(unit) + " in duration " + GoQuote(orig));
    }
    if (v > kMax / mult) return invalid();
    v *= mult;
    if (frac > 0) {
      v += static_cast<uint64_t>(static_cast<double>(frac) * (static_cast<double>(mult) / scale));
      if (v > kMax) return invalid();
    }
    total += v;
    if (total > kMax) return invalid();
    s.remove_prefix(i);
  }
  if (neg) {
    *ns = total == kMax ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(total);
    return true;
  }
  if (total > kMax - 1) return invalid();
  *ns = static_cast<int64_t>(total);
  return true;
}

bool ParsePromDuration(std::string_view s, int64_t* ns, std::string* error) {
  if (s == "0") {
    *ns = 0;
    return true;
  }
  if (s.empty()) {
    *error = "empty duration string";
    return false;
  }
  auto invalid = [&] {
    *error = "not a valid duration string: " + GoQuote(s);
    return false;
  };
  struct Unit {
    std::string_view name;
    uint64_t mult_ms;
  };
  static const Unit kUnits[] = {{"y", 365ULL * 24 * 3600 * 1000},
                                {"w", 7ULL * 24 * 3600 * 1000},
                                {"d", 24ULL * 3600 * 1000},
                                {"h", 3600ULL * 1000},
                                {"m", 60ULL * 1000},
                                {"s", 1000},
                                {"ms", 1}};
  size_t next_unit = 0;
  uint64_t total_ms = 0;
  std::string_view rest = s;
  while (!rest.empty()) {
    size_t i = 0;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == 0 || i > 18) return invalid();
    uint64_t v = 0;
    std::from_chars(rest.data(), rest.data() + i, v);
    rest.remove_prefix(i);
    size_t u = 0;
    while (u < rest.size() && !(rest[u] >= '0' && rest[u] <= '9')) ++u;
    std::string_view unit = rest.substr(0, u);
    rest.remove_prefix(u);
    size_t k = next_unit;
    while (k < std::size(kUnits) && kUnits[k].name != unit) ++k;
    if (k == std::size(kUnits)) return invalid();
    next_unit = k + 1;
    // 2^63 ns is about 292 years.
    if (v > (9223372036854ULL / kUnits[k].mult_ms)) {
      *error = "duration out of range";
      return false;
    }
    total_ms += v * kUnits[k].mult_ms;
    if (total_ms > 9223372036854ULL) {
      *error = "duration out of range";
      return false;
    }
  }
  *ns = static_cast<int64_t>(total_ms) * 1000000;
  return true;
}

bool ParseLogqlDuration(std::string_view s, int64_t* ns) {
  std::string ignored;
  if (ParsePromDuration(s, ns, &ignored)) return true;
  return ParseGoDuration(s, ns);
}

bool ParseHumanBytes(std::string_view s, uint64_t* out) {
  size_t last = 0;
  std::string num;
  while (last < s.size() &&
         ((s[last] >= '0' && s[last] <= '9') || s[last] == '.' || s[last] == ',')) {
    if (s[last] != ',') num.push_back(s[last]);
    ++last;
  }
  double f;
  if (num.empty() || !GoParseFloat(num, &f)) return false;
  std::string_view extra = s.substr(last);
  while (!extra.empty() && extra.front() == ' ') extra.remove_prefix(1);
  while (!extra.empty() && extra.back() == ' ') extra.remove_suffix(1);
  std::string unit;
  for (char c : extra)
    unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  double mult;
  bool binary = !unit.empty() && unit.back() == 'i';
  if (binary) unit.pop_back();
  if (unit.size() > 1) return false;
  static const char kPrefixes[] = "kmgtpe";
  if (unit.empty()) {
    if (binary) return false;
    mult = 1;
  } else {
    const char* p = std::char_traits<char>::find(kPrefixes, 6, unit[0]);
    if (p == nullptr) return false;
    mult = std::pow(binary ? 1024.0 : 1000.0, static_cast<double>(p - kPrefixes + 1));
  }
  f *= mult;
  if (f >= 18446744073709551615.0) return false;
  *out = static_cast<uint64_t>(f);
  return true;
}

namespace {

// go-humanize's Bytes(b) without the space: "10kB", "1.0MB", "5B".
std::string HumanizeBytes(uint64_t b) {
  static const char* kSizes[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  char buf[64];
  if (b < 10) {
    std::snprintf(buf, sizeof(buf), "%lluB", static_cast<unsigned long long>(b));
    return buf;
  }
  double e = std::floor(std::log(static_cast<double>(b)) / std::log(1000.0));
  double val = std::floor(static_cast<double>(b) / std::pow(1000.0, e) * 10 + 0.5) / 10;
  std::snprintf(buf, sizeof(buf), val < 10 ? "%.1f%s" : "%.0f%s", val, kSizes[static_cast<int>(e)]);
  return buf;
}

}  // namespace

std::string FormatHumanBytes(uint64_t b) {
  std::string h = HumanizeBytes(b);
  uint64_t back;
  if (ParseHumanBytes(h, &back) && back == b) return h;
  static const char* kBinary[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = -1;
  uint64_t v = b;
  while (v != 0 && v % 1024 == 0 && unit < 5) {
    v /= 1024;
    ++unit;
  }
  if (unit >= 0) return std::to_string(v) + kBinary[unit];
  return std::to_string(b) + "B";
}

uint64_t LokiFrontendBytes(uint64_t b) {
  uint64_t back;
  return ParseHumanBytes(HumanizeBytes(b), &back) ? back : b;
}

std::string FormatPromDuration(int64_t ns) {
  int64_t ms = ns / 1000000;
  if (ms == 0) return "0s";
  std::string r;
  if (ms < 0) {  // not produced by the parser; keep it readable
    r = "-";
    ms = -ms;
  }
  auto f = [&](const char* unit, int64_t mult, bool exact) {
    if (exact && ms % mult != 0) return;
    if (int64_t v = ms / mult; v > 0) {
      r += std::to_string(v) + unit;
      ms -= v * mult;
    }
  };
  f("y", 1000LL * 60 * 60 * 24 * 365, true);
  f("w", 1000LL * 60 * 60 * 24 * 7, true);
  f("d", 1000LL * 60 * 60 * 24, false);
  f("h", 1000LL * 60 * 60, false);
  f("m", 1000LL * 60, false);
  f("s", 1000, false);
  f("ms", 1, false);
  return r;
}

namespace {

// Writes the fraction of v / 10^prec, without trailing zeros, into the front of `out`
// (which is built right to left); returns v / 10^prec.
uint64_t FmtFrac(std::string* rev, uint64_t v, int prec) {
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    int digit = static_cast<int>(v % 10);
    print = print || digit != 0;
    if (print) rev->push_back(static_cast<char>('0' + digit));
    v /= 10;
  }
  if (print) rev->push_back('.');
  return v;
}

void FmtInt(std::string* rev, uint64_t v) {
  if (v == 0) {
    rev->push_back('0');
    return;
  }
  while (v > 0) {
    rev->push_back(static_cast<char>('0' + v % 10));
    v /= 10;
  }
}

}  // namespace

std::string FormatGoDuration(int64_t ns) {
  std::string rev;  // built reversed
  bool neg = ns < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  if (u < 1000000000ULL) {
    int prec;
    rev.push_back('s');
    if (u == 0) return "0s";
    if (u < 1000) {
      prec = 0;
      rev.push_back('n');
    } else if (u < 1000000) {
      prec = 3;
      rev.append("\xB5\xC2");  // "µ" reversed
    } else {
      prec = 6;
      rev.push_back('m');
    }
    u = FmtFrac(&rev, u, prec);
    FmtInt(&rev, u);
  } else {
    rev.push_back('s');
    u = FmtFrac(&rev, u, 9);
    FmtInt(&rev, u % 60);
    u /= 60;
    if (u > 0) {
      rev.push_back('m');
      FmtInt(&rev, u % 60);
      u /= 60;
      if (u > 0) {
        rev.push_back('h');
        FmtInt(&rev, u);
      }
    }
  }
  if (neg) rev.push_back('-');
  return std::string(rev.rbegin(), rev.rend());
}

}  // namespace sawmill::query::logql
