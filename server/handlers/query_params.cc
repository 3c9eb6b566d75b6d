#include "server/handlers/query_params.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "ingest/rfc3339.h"
#include "query/logql/go_text.h"

namespace sawmill::server {
namespace {

constexpr int64_t kSecond = 1000000000;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.QueryUnescape: '+' is a space, %XX a byte; a bad escape is an error.
Result<std::string> Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size() || HexValue(s[i + 1]) < 0 || HexValue(s[i + 2]) < 0) {
        std::string bad(s.substr(i, std::min<size_t>(3, s.size() - i)));
        return Status::InvalidArgument("invalid URL escape \"" + bad + "\"");
      }
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool ParseFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  std::string copy(s);
  char* end = nullptr;
  errno = 0;
  *out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && errno == 0 && std::isfinite(*out);
}

Result<size_t> ParseLimit(const Form& form) {
  std::string_view v = form.Get("limit");
  if (v.empty()) return size_t{100};
  int64_t n = 0;
  if (!ParseInt64(v, &n)) {
    return Status::InvalidArgument("strconv.ParseInt: parsing \"" + std::string(v) +
                                   "\": invalid syntax");
  }
  if (n <= 0) return Status::InvalidArgument("limit must be a positive value");
  return static_cast<size_t>(n);
}

Result<storage::Direction> ParseDirection(const Form& form) {
  std::string_view v = form.Get("direction");
  if (v.empty()) return storage::Direction::kBackward;
  std::string upper(v);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "FORWARD") return storage::Direction::kForward;
  if (upper == "BACKWARD") return storage::Direction::kBackward;
  return Status::InvalidArgument("invalid direction '" + std::string(v) + "'");
}

}  // namespace

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<Form> Form::FromRequest(const Request& request) {
  Form form;
  SAW_RETURN_IF_ERROR(form.AddEncoded(request.query));
  if (request.http.method() == http::verb::post) {
    auto it = request.http.find(http::field::content_type);
    std::string_view type = it == request.http.end() ? "" : it->value();
    if (type.substr(0, 33) == "application/x-www-form-urlencoded") {
      SAW_RETURN_IF_ERROR(form.AddEncoded(request.http.body()));
    }
  }
  return form;
}

Status Form::AddEncoded(std::string_view encoded) {
  while (!encoded.empty()) {
    size_t amp = encoded.find_first_of("&;");
    std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view() : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    SAW_ASSIGN_OR_RETURN(std::string name, Unescape(pair.substr(0, eq)));
    std::string value;
    if (eq != std::string_view::npos) {
      SAW_ASSIGN_OR_RETURN(value, Unescape(pair.substr(eq + 1)));
    }
    values_.emplace_back(std::move(name), std::move(value));
  }
  return Status::OK();
}

std::string_view Form::Get(std::string_view name) const {
  for (const auto& [n, v] : values_) {
    if (n == name) return v;
  }
  return {};
}

bool Form::Has(std::string_view name) const {
  for (const auto& [n, v] : values_) {
    if (n == name) return true;
  }
  return false;
}

std::vector<std::string_view> Form::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : values_) {
    if (n == name) out.push_back(v);
  }
  return out;
}

Result<int64_t> ParseTimestamp(std::string_view text, int64_t def) {
  if (text.empty()) return def;
  if (text.find('.') != std::string_view::npos) {
    double secs = 0;
    if (ParseFloat(text, &secs) && std::fabs(secs) < 9.2e9) {
      double whole = 0;
      double frac = std::modf(secs, &whole);
      frac = std::round(frac * 1000) / 1000;  // Loki keeps milliseconds
      return static_cast<int64_t>(whole) * kSecond + static_cast<int64_t>(frac * 1e9);
    }
  }
  int64_t n = 0;
  if (!ParseInt64(text, &n)) {
    int64_t ts = 0;
    if (ingest::ParseRfc3339Nanos(text, &ts)) return ts;
    return Status::InvalidArgument("strconv.ParseInt: parsing \"" + std::string(text) +
                                   "\": invalid syntax");
  }
  if (text.size() <= 10) {
    if (n > INT64_MAX / kSecond || n < INT64_MIN / kSecond) {
      return Status::InvalidArgument("timestamp out of range: " + std::string(text));
    }
    return n * kSecond;
  }
  return n;
}

Result<int64_t> ParseSecondsOrDuration(std::string_view text, int64_t def_ns) {
  if (text.empty()) return def_ns;
  double secs = 0;
  if (ParseFloat(text, &secs)) {
    const double ns = std::round(secs * 1e9);
    if (std::fabs(ns) >= 9.2e18) {
      return Status::InvalidArgument("cannot parse \"" + std::string(text) +
                                     "\" to a valid duration. It overflows int64");
    }
    return static_cast<int64_t>(ns);
  }
  int64_t ns = 0;
  std::string error;
  if (!query::logql::ParsePromDuration(text, &ns, &error)) {
    return Status::InvalidArgument("cannot parse \"" + std::string(text) +
                                   "\" to a valid duration");
  }
  return ns;
}

// a - b, clamped to int64's range (timestamps centuries apart would overflow it).
int64_t SaturatingSub(int64_t a, int64_t b) {
  int64_t d;
  if (!__builtin_sub_overflow(a, b, &d)) return d;
  return b < 0 ? INT64_MAX : INT64_MIN;
}

Result<RangeParams> ParseBounds(const Form& form, int64_t now_ns) {
  RangeParams p;
  SAW_ASSIGN_OR_RETURN(p.end_ns, ParseTimestamp(form.Get("end"), now_ns));
  SAW_ASSIGN_OR_RETURN(int64_t since, ParseSecondsOrDuration(form.Get("since"), 3600 * kSecond));
  SAW_ASSIGN_OR_RETURN(p.start_ns,
                       ParseTimestamp(form.Get("start"), SaturatingSub(p.end_ns, since)));
  if (p.end_ns < p.start_ns) {
    return Status::InvalidArgument("end timestamp must not be before or equal to start time");
  }
  // Every later end - start (limits, steps, logs) fits in int64 nanoseconds (292 years).
  if (int64_t length; __builtin_sub_overflow(p.end_ns, p.start_ns, &length)) {
    return Status::InvalidArgument(
        "the query time range exceeds the limit (query length: more than 292 years)");
  }
  return p;
}

Result<RangeParams> ParseRangeParams(const Form& form, int64_t now_ns) {
  SAW_ASSIGN_OR_RETURN(RangeParams p, ParseBounds(form, now_ns));
  SAW_ASSIGN_OR_RETURN(p.limit, ParseLimit(form));
  SAW_ASSIGN_OR_RETURN(p.direction, ParseDirection(form));
  const int64_t range = p.end_ns - p.start_ns;  // fits: ParseBounds checked
  const int64_t def_step = std::max<int64_t>(range / kSecond / 250, 1) * kSecond;
  SAW_ASSIGN_OR_RETURN(p.step_ns, ParseSecondsOrDuration(form.Get("step"), def_step));
  if (p.step_ns <= 0) {
    return Status::InvalidArgument(
        "zero or negative query resolution step widths are not accepted. Try a positive "
        "integer");
  }
  if (range / p.step_ns > 11000) {
    return Status::InvalidArgument(
        "exceeded maximum resolution of 11,000 points per timeseries. Try increasing the value "
        "of the step parameter");
  }
  return p;
}

Result<RangeParams> ParseInstantParams(const Form& form, int64_t now_ns) {
  RangeParams p;
  SAW_ASSIGN_OR_RETURN(p.end_ns, ParseTimestamp(form.Get("time"), now_ns));
  p.start_ns = p.end_ns;
  SAW_ASSIGN_OR_RETURN(p.limit, ParseLimit(form));
  SAW_ASSIGN_OR_RETURN(p.direction, ParseDirection(form));
  return p;
}

std::string GoDurationString(int64_t ns) {
  if (ns == 0) return "0s";
  std::string out;
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  if (ns < 0) out.push_back('-');
  if (u < static_cast<uint64_t>(kSecond)) {
    // Sub-second: the largest unit that keeps an integer part.
    const char* unit = "ns";
    double v = static_cast<double>(u);
    if (u >= 1000000) {
      unit = "ms";
      v /= 1e6;
    } else if (u >= 1000) {
      unit = "µs";
      v /= 1e3;
    }
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.9g", v);
    return out + buf + unit;
  }
  const uint64_t hours = u / (3600ull * kSecond);
  u -= hours * 3600ull * kSecond;
  const uint64_t minutes = u / (60ull * kSecond);
  u -= minutes * 60ull * kSecond;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  out += std::to_string(u / kSecond);
  uint64_t frac = u % kSecond;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 9 - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  out += "s";
  return out;
}

}  // namespace sawmill::server
