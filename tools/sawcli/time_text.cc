#include "tools/sawcli/time_text.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace sawmill::sawcli {

namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string Format(int64_t unix_ns, TimeZone zone, bool nano) {
  int64_t secs = unix_ns / kNsPerSecond;
  int64_t frac = unix_ns % kNsPerSecond;
  if (frac < 0) {
    frac += kNsPerSecond;
    --secs;
  }
  const time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  if (zone == TimeZone::kUtc) {
    gmtime_r(&t, &tm);
  } else {
    localtime_r(&t, &tm);
  }
  char buf[160];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out(buf, n);
  if (nano && frac != 0) {
    n = std::snprintf(buf, sizeof(buf), ".%09lld", static_cast<long long>(frac));
    std::string f(buf, n);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  const long off = zone == TimeZone::kUtc ? 0 : tm.tm_gmtoff;
  if (off == 0) {
    out.push_back('Z');
  } else {
    const long a = off < 0 ? -off : off;
    n = std::snprintf(buf, sizeof(buf), "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600,
                      (a / 60) % 60);
    out.append(buf, n);
  }
  return out;
}

bool ReadDigits(std::string_view s, size_t* pos, int count, int* value) {
  int v = 0;
  for (int i = 0; i < count; ++i) {
    if (*pos >= s.size() || s[*pos] < '0' || s[*pos] > '9') return false;
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
  }
  *value = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

std::string FormatRfc3339(int64_t unix_ns, TimeZone zone) { return Format(unix_ns, zone, false); }
std::string FormatRfc3339Nano(int64_t unix_ns, TimeZone zone) {
  return Format(unix_ns, zone, true);
}

Result<int64_t> ParseRfc3339(std::string_view s) {
  const Status bad = Status::InvalidArgument("cannot parse \"" + std::string(s) +
                                             "\" as RFC3339 (e.g. 2006-01-02T15:04:05Z)");
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!ReadDigits(s, &pos, 4, &year) || !Expect(s, &pos, '-') || !ReadDigits(s, &pos, 2, &month) ||
      !Expect(s, &pos, '-') || !ReadDigits(s, &pos, 2, &day)) {
    return bad;
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return bad;
  ++pos;
  if (!ReadDigits(s, &pos, 2, &hour) || !Expect(s, &pos, ':') || !ReadDigits(s, &pos, 2, &minute) ||
      !Expect(s, &pos, ':') || !ReadDigits(s, &pos, 2, &second)) {
    return bad;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return bad;
  }
  int64_t frac = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) {
        frac = frac * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return bad;
    for (; digits < 9; ++digits) frac *= 10;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!ReadDigits(s, &pos, 2, &oh) || !Expect(s, &pos, ':') || !ReadDigits(s, &pos, 2, &om)) {
      return bad;
    }
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return bad;
  }
  if (pos != s.size()) return bad;
  if (year < 1678 || year > 2261) {  // outside what int64 nanoseconds since 1970 can hold
    return Status::InvalidArgument("time \"" + std::string(s) + "\" is out of range");
  }
  const int64_t secs =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  return secs * kNsPerSecond + frac;
}

Result<int64_t> ParseGoDuration(std::string_view s) {
  const Status bad = Status::InvalidArgument("time: invalid duration \"" + std::string(s) + "\"");
  if (s.empty()) return bad;
  if (s == "0") return int64_t{0};
  if (s[0] == '-') return bad;
  size_t pos = s[0] == '+' ? 1 : 0;
  if (pos >= s.size()) return bad;
  long double total = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    while (pos < s.size() && ((s[pos] >= '0' && s[pos] <= '9') || s[pos] == '.')) ++pos;
    if (pos == start) return bad;
    const std::string number(s.substr(start, pos - start));
    char* end = nullptr;
    const long double v = std::strtold(number.c_str(), &end);
    if (end != number.c_str() + number.size()) return bad;
    const size_t unit_start = pos;
    while (pos < s.size() && !((s[pos] >= '0' && s[pos] <= '9') || s[pos] == '.')) ++pos;
    const std::string_view unit = s.substr(unit_start, pos - unit_start);
    long double scale;
    if (unit == "ns") {
      scale = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      scale = 1e3;
    } else if (unit == "ms") {
      scale = 1e6;
    } else if (unit == "s") {
      scale = 1e9;
    } else if (unit == "m") {
      scale = 60e9;
    } else if (unit == "h") {
      scale = 3600e9;
    } else if (unit == "d") {
      scale = 86400e9;
    } else if (unit == "w") {
      scale = 7 * 86400e9;
    } else if (unit == "y") {
      scale = 365 * 86400e9;
    } else {
      return bad;  // a unit is required (Go: "missing unit in duration")
    }
    total += v * scale;
    if (total > 9.2e18L) return bad;
  }
  return static_cast<int64_t>(total);
}

std::string FormatSeconds(int64_t ns) {
  char buf[64];
  if (ns % kNsPerSecond == 0) {
    std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(ns / kNsPerSecond));
    return buf;
  }
  std::snprintf(buf, sizeof(buf), "%lld.%09lld", static_cast<long long>(ns / kNsPerSecond),
                static_cast<long long>(ns % kNsPerSecond));
  std::string out(buf);
  while (out.back() == '0') out.pop_back();
  return out;
}

int64_t NowUnixNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sawmill::sawcli
