#include "server/handlers/delete_params.h"

#include <cmath>
#include <cstdlib>

#include "ingest/rfc3339.h"

namespace sawmill::server {

Result<int64_t> ParseDeleteTime(std::string_view text, int64_t now_ms) {
  if (text.empty()) return now_ms;
  int64_t ns = 0;
  if (ingest::ParseRfc3339Nanos(text, &ns)) {
    return ns >= 0 ? ns / 1000000 : -((-ns + 999999) / 1000000);  // Go's UnixMilli floors
  }
  if (text.size() != 10) return Status::InvalidArgument("not unix seconds");
  const std::string s(text);
  char* end = nullptr;
  const double t = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(t) || std::fabs(t) > 1e15) {
    return Status::InvalidArgument("not unix seconds");
  }
  double whole = 0;
  const double frac = std::round(std::modf(t, &whole) * 1000) / 1000;
  return static_cast<int64_t>(whole) * 1000 + static_cast<int64_t>(std::llround(frac * 1000));
}

std::string ModelTimeJson(int64_t ms) {
  std::string out;
  uint64_t abs = ms < 0 ? static_cast<uint64_t>(-(ms + 1)) + 1 : static_cast<uint64_t>(ms);
  if (ms < 0) out.push_back('-');
  out += std::to_string(abs / 1000);
  uint64_t frac = abs % 1000;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 3 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out;
}

}  // namespace sawmill::server
