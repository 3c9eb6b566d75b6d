#include "ingest/rfc3339.h"

#include <cstdint>

namespace sawmill::ingest {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Reads exactly n digits at s[*i].
bool Digits(std::string_view s, size_t* i, int n, int64_t* v) {
  if (s.size() - *i < static_cast<size_t>(n)) return false;
  int64_t x = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    x = x * 10 + (c - '0');
  }
  *i += n;
  *v = x;
  return true;
}

bool Expect(std::string_view s, size_t* i, char c) {
  if (*i < s.size() && s[*i] == c) {
    ++*i;
    return true;
  }
  return false;
}

}  // namespace

bool ParseRfc3339Nanos(std::string_view s, int64_t* ts_ns) {
  size_t i = 0;
  int64_t year, month, day, hour, minute, second;
  if (!Digits(s, &i, 4, &year) || !Expect(s, &i, '-') || !Digits(s, &i, 2, &month) ||
      !Expect(s, &i, '-') || !Digits(s, &i, 2, &day) || !Expect(s, &i, 'T') ||
      !Digits(s, &i, 2, &hour) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &minute) ||
      !Expect(s, &i, ':') || !Digits(s, &i, 2, &second)) {
    return false;
  }
  static constexpr int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 ||
      day > kDaysIn[month - 1] + (month == 2 && IsLeap(year)) || hour > 23 || minute > 59 ||
      second > 59) {
    return false;
  }
  int64_t frac = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 9) {
        frac = frac * 10 + (s[i] - '0');
        ++digits;
      }
      ++i;
    }
    if (digits == 0) return false;
    for (; digits < 9; ++digits) frac *= 10;
  }
  int64_t offset = 0;
  if (Expect(s, &i, 'Z')) {
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int64_t sign = s[i] == '-' ? -1 : 1;
    ++i;
    int64_t oh, om;
    if (!Digits(s, &i, 2, &oh) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &om) || oh > 23 ||
        om > 59) {
      return false;
    }
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return false;
  }
  if (i != s.size()) return false;
  const __int128 secs = static_cast<__int128>(DaysFromCivil(year, month, day)) * 86400 +
                        hour * 3600 + minute * 60 + second - offset;
  const __int128 ns = secs * 1'000'000'000 + frac;
  if (ns < INT64_MIN || ns > INT64_MAX) return false;
  *ts_ns = static_cast<int64_t>(ns);
  return true;
}

}  // namespace sawmill::ingest
