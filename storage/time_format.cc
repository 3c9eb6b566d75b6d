#include "storage/time_format.h"

#include <cstdio>
#include <ctime>

namespace sawmill {
namespace {

// Splits ts_ns into a broken-down UTC time and the nanoseconds within its second.
std::tm Split(int64_t ts_ns, int64_t* nanos) {
  std::time_t secs = static_cast<std::time_t>(ts_ns / 1000000000);
  *nanos = ts_ns % 1000000000;
  if (*nanos < 0) {
    *nanos += 1000000000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

}  // namespace

std::string FormatRfc3339Nano(int64_t ts_ns) {
  int64_t nanos;
  std::tm tm = Split(ts_ns, &nanos);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof(buf) - n, ".%09lldZ", static_cast<long long>(nanos));
  return buf;
}

std::string FormatGoTime(int64_t ts_ns) {
  int64_t nanos;
  std::tm tm = Split(ts_ns, &nanos);
  char buf[80];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  std::string out(buf, n);
  if (nanos != 0) {
    char frac[16];
    std::snprintf(frac, sizeof(frac), ".%09lld", static_cast<long long>(nanos));
    std::string f(frac);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += " +0000 UTC";
  return out;
}

}  // namespace sawmill
