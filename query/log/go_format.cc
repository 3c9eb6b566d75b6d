#include "query/log/go_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "query/log/units.h"

namespace sawmill::query::log {
namespace {

using tmpl::Value;

// Shortest round-trip digits of |f| and its decimal exponent: f = 0.d1d2... * 10^dp.
void ShortestDigits(double f, std::string* digits, int* dp) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, std::fabs(f), std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  size_t e = s.find('e');
  std::string mant(s.substr(0, e));
  int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  digits->clear();
  for (char c : mant) {
    if (c != '.') digits->push_back(c);
  }
  while (digits->size() > 1 && digits->back() == '0') digits->pop_back();
  *dp = exp + 1;
}

std::string Pad(std::string s, int width, bool minus, bool zero) {
  if (width <= 0 || static_cast<int>(s.size()) >= width) return s;
  size_t n = static_cast<size_t>(width) - s.size();
  if (minus) return s + std::string(n, ' ');
  if (zero) {
    size_t sign = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    return s.substr(0, sign) + std::string(n, '0') + s.substr(sign);
  }
  return std::string(n, ' ') + s;
}

constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
constexpr const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                 "Thursday", "Friday", "Saturday"};

struct Civil {
  int64_t year;
  int month, day, hour, min, sec, wday, yday;
  int64_t nanos;
};

Civil ToCivil(int64_t secs, int64_t nanos) {
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) rem += 86400, --days;
  Civil c;
  c.hour = static_cast<int>(rem / 3600);
  c.min = static_cast<int>(rem / 60 % 60);
  c.sec = static_cast<int>(rem % 60);
  c.nanos = nanos;
  c.wday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = y + (c.month <= 2);
  bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  static const int kCum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  c.yday = kCum[c.month - 1] + c.day + (leap && c.month > 2 ? 1 : 0);
  return c;
}

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string Num(int64_t v, int width) {
  char buf[32];
  snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
  return buf;
}

// The layout tokens Go recognises, longest first where prefixes overlap.
enum class LTok {
  kNone,
  kLongMonth,
  kMonth,
  kNumMonth,
  kZeroMonth,
  kLongWeekDay,
  kWeekDay,
  kDay,
  kUnderDay,
  kZeroDay,
  kYearDay,
  kZeroYearDay,
  kHour,
  kHour12,
  kZeroHour12,
  kMinute,
  kZeroMinute,
  kSecond,
  kZeroSecond,
  kLongYear,
  kYear,
  kPM,
  kpm,
  kTZ,
  kISO8601TZ,
  kISO8601ColonTZ,
  kNumTZ,
  kNumColonTZ,
  kNumShortTZ,
  kISO8601ShortTZ,
  kFracSecond0,
  kFracSecond9
};

// Finds the next token in `layout` starting at *i; returns the literal before it in *lit.
LTok NextLayoutToken(std::string_view l, size_t* i, std::string* lit, int* frac_digits) {
  lit->clear();
  while (*i < l.size()) {
    std::string_view s = l.substr(*i);
    auto take = [&](size_t n, LTok t) {
      *i += n;
      return t;
    };
    if (s.starts_with("January")) return take(7, LTok::kLongMonth);
    if (s.starts_with("Jan")) return take(3, LTok::kMonth);
    if (s.starts_with("Monday")) return take(6, LTok::kLongWeekDay);
    if (s.starts_with("Mon")) return take(3, LTok::kWeekDay);
    if (s.starts_with("MST")) return take(3, LTok::kTZ);
    if (s.starts_with("01")) return take(2, LTok::kZeroMonth);
    if (s.starts_with("02")) return take(2, LTok::kZeroDay);
    if (s.starts_with("03")) return take(2, LTok::kZeroHour12);
    if (s.starts_with("04")) return take(2, LTok::kZeroMinute);
    if (s.starts_with("05")) return take(2, LTok::kZeroSecond);
    if (s.starts_with("06")) return take(2, LTok::kYear);
    if (s.starts_with("002")) return take(3, LTok::kZeroYearDay);
    if (s.starts_with("2006")) return take(4, LTok::kLongYear);
    if (s.starts_with("__2")) return take(3, LTok::kYearDay);
    if (s.starts_with("_2")) return take(2, LTok::kUnderDay);
    if (s.starts_with("15")) return take(2, LTok::kHour);
    if (s.starts_with("1")) return take(1, LTok::kNumMonth);
    if (s.starts_with("2")) return take(1, LTok::kDay);
    if (s.starts_with("3")) return take(1, LTok::kHour12);
    if (s.starts_with("4")) return take(1, LTok::kMinute);
    if (s.starts_with("5")) return take(1, LTok::kSecond);
    if (s.starts_with("PM")) return take(2, LTok::kPM);
    if (s.starts_with("pm")) return take(2, LTok::kpm);
    if (s.starts_with("Z07:00")) return take(6, LTok::kISO8601ColonTZ);
    if (s.starts_with("Z0700")) return take(5, LTok::kISO8601TZ);
    if (s.starts_with("Z07")) return take(3, LTok::kISO8601ShortTZ);
    if (s.starts_with("-07:00")) return take(6, LTok::kNumColonTZ);
    if (s.starts_with("-0700")) return take(5, LTok::kNumTZ);
    if (s.starts_with("-07")) return take(3, LTok::kNumShortTZ);
    if ((s[0] == '.' || s[0] == ',') && s.size() > 1 && (s[1] == '0' || s[1] == '9')) {
      size_t j = 1;
      while (j < s.size() && s[j] == s[1]) ++j;
      if (j == s.size() || !(s[j] >= '0' && s[j] <= '9')) {
        *frac_digits = static_cast<int>(j - 1);
        return take(j, s[1] == '0' ? LTok::kFracSecond0 : LTok::kFracSecond9);
      }
    }
    lit->push_back(s[0]);
    ++*i;
  }
  return LTok::kNone;
}

}  // namespace

std::string GoFormatFloat(double f, char verb, int prec) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  char buf[512];
  if (verb == 'f' || verb == 'F') {
    snprintf(buf, sizeof buf, "%.*f", prec < 0 ? 6 : prec, f);
    return buf;
  }
  if (verb == 'e' || verb == 'E') {
    snprintf(buf, sizeof buf, verb == 'e' ? "%.*e" : "%.*E", prec < 0 ? 6 : prec, f);
    return buf;
  }
  if ((verb == 'g' || verb == 'G') && prec >= 0) {
    snprintf(buf, sizeof buf, verb == 'g' ? "%.*g" : "%.*G", prec == 0 ? 1 : prec, f);
    return buf;
  }
  // %v / %g shortest: strconv.FormatFloat(f, 'g', -1, 64).
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  std::string digits;
  int dp;
  ShortestDigits(f, &digits, &dp);
  int exp = dp - 1;
  std::string out = f < 0 ? "-" : "";
  // strconv ftoa.go: with the shortest precision, %e is used when exp < -4 || exp >= 6
  // (fmt.Println(1e6) prints "1e+06").
  const int eprec = 6;
  if (exp < -4 || exp >= eprec) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char e[16];
    snprintf(e, sizeof e, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return out + e;
  }
  if (dp <= 0) {
    return out + "0." + std::string(static_cast<size_t>(-dp), '0') + digits;
  }
  if (static_cast<size_t>(dp) >= digits.size()) {
    return out + digits + std::string(static_cast<size_t>(dp) - digits.size(), '0');
  }
  return out + digits.substr(0, static_cast<size_t>(dp)) + "." +
         digits.substr(static_cast<size_t>(dp));
}

std::string GoSprintf(std::string_view format, const std::vector<Value>& args) {
  std::string out;
  size_t argi = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (++i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    bool minus = false, plus = false, zero = false, space = false, sharp = false;
    for (; i < format.size(); ++i) {
      char f = format[i];
      if (f == '-')
        minus = true;
      else if (f == '+')
        plus = true;
      else if (f == '0')
        zero = true;
      else if (f == ' ')
        space = true;
      else if (f == '#')
        sharp = true;
      else
        break;
    }
    int width = -1, prec = -1;
    while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
      width = (width < 0 ? 0 : width) * 10 + (format[i] - '0');
      if (width > 1000) width = 1000;
      ++i;
    }
    if (i < format.size() && format[i] == '.') {
      ++i;
      prec = 0;
      while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
        prec = prec * 10 + (format[i] - '0');
        if (prec > 500) prec = 500;
        ++i;
      }
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    char verb = format[i];
    if (verb == '%') {
      out.push_back('%');
      continue;
    }
    if (argi >= args.size()) {
      out += std::string("%!") + verb + "(MISSING)";
      continue;
    }
    const Value& v = args[argi++];
    std::string s;
    auto bad = [&] {
      return std::string("%!") + verb + "(" + tmpl::TypeName(v) + "=" + tmpl::ToText(v) + ")";
    };
    auto sign = [&](std::string t, bool neg) {
      if (neg) return "-" + t;
      if (plus) return "+" + t;
      if (space) return " " + t;
      return t;
    };
    switch (verb) {
      case 'd':
      case 'x':
      case 'X':
      case 'o':
      case 'b':
      case 'c':
        if (v.kind == Value::Kind::kInt) {
          int64_t n = v.i;
          uint64_t u = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
          char buf[80];
          int base = verb == 'd' ? 10 : verb == 'o' ? 8 : verb == 'b' ? 2 : 16;
          if (verb == 'c') {
            std::string r;
            uint32_t cp = static_cast<uint32_t>(n);
            if (cp < 0x80)
              r.push_back(static_cast<char>(cp));
            else
              r = "\xEF\xBF\xBD";
            s = r;
            break;
          }
          auto r = std::to_chars(buf, buf + sizeof buf, u, base);
          std::string digits(buf, r.ptr);
          if (verb == 'X')
            for (char& ch : digits) ch = static_cast<char>(std::toupper(ch));
          if (prec >= 0 && static_cast<int>(digits.size()) < prec) {
            digits = std::string(static_cast<size_t>(prec) - digits.size(), '0') + digits;
          }
          if (sharp && verb == 'x') digits = "0x" + digits;
          if (sharp && verb == 'X') digits = "0X" + digits;
          if (sharp && verb == 'o') digits = "0" + digits;
          s = sign(digits, n < 0);
        } else if ((verb == 'x' || verb == 'X') && v.kind == Value::Kind::kString) {
          static const char* kHex = "0123456789abcdef";
          static const char* kHexU = "0123456789ABCDEF";
          for (unsigned char ch : v.s) {
            s.push_back((verb == 'x' ? kHex : kHexU)[ch >> 4]);
            s.push_back((verb == 'x' ? kHex : kHexU)[ch & 15]);
          }
        } else {
          s = bad();
        }
        break;
      case 's':
      case 'v':
        if (v.kind == Value::Kind::kFloat && verb == 'v') {
          s = sign(GoFormatFloat(std::fabs(v.f), 'g', prec), std::signbit(v.f) && !std::isnan(v.f));
        } else if (verb == 's' && v.kind != Value::Kind::kString && v.kind != Value::Kind::kTime &&
                   v.kind != Value::Kind::kMap && v.kind != Value::Kind::kList) {
          s = bad();
        } else {
          s = tmpl::ToText(v);
          if (verb == 'v' && v.kind == Value::Kind::kInt)
            s = sign(std::to_string(v.i < 0 ? -v.i : v.i), v.i < 0);
          if (prec >= 0 && v.kind == Value::Kind::kString && static_cast<int>(s.size()) > prec) {
            s.resize(static_cast<size_t>(prec));
          }
        }
        break;
      case 'q':
        if (v.kind == Value::Kind::kString) {
          s = GoQuote(v.s);
        } else {
          s = bad();
        }
        break;
      case 't':
        s = v.kind == Value::Kind::kBool ? (v.b ? "true" : "false") : bad();
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G':
        if (v.kind == Value::Kind::kFloat) {
          s = sign(GoFormatFloat(std::fabs(v.f), verb, prec),
                   std::signbit(v.f) && !std::isnan(v.f));
        } else {
          s = bad();
        }
        break;
      default:
        s = std::string("%!") + verb + "(" + tmpl::TypeName(v) + "=" + tmpl::ToText(v) + ")";
    }
    out += Pad(s, width, minus, zero && !minus && verb != 's' && verb != 'q');
  }
  if (argi < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out += ", ";
      out += tmpl::TypeName(args[k]) + "=" + tmpl::ToText(args[k]);
    }
    out += ")";
  }
  return out;
}

std::string GoFormatTime(std::string_view layout, int64_t sec, int64_t nanos) {
  Civil c = ToCivil(sec, nanos);
  std::string out, lit;
  size_t i = 0;
  while (true) {
    int frac = 0;
    LTok t = NextLayoutToken(layout, &i, &lit, &frac);
    out += lit;
    if (t == LTok::kNone) break;
    int h12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
    switch (t) {
      case LTok::kLongMonth:
        out += kMonths[c.month - 1];
        break;
      case LTok::kMonth:
        out += std::string(kMonths[c.month - 1]).substr(0, 3);
        break;
      case LTok::kNumMonth:
        out += std::to_string(c.month);
        break;
      case LTok::kZeroMonth:
        out += Num(c.month, 2);
        break;
      case LTok::kLongWeekDay:
        out += kDays[c.wday];
        break;
      case LTok::kWeekDay:
        out += std::string(kDays[c.wday]).substr(0, 3);
        break;
      case LTok::kDay:
        out += std::to_string(c.day);
        break;
      case LTok::kUnderDay:
        out += (c.day < 10 ? " " : "") + std::to_string(c.day);
        break;
      case LTok::kZeroDay:
        out += Num(c.day, 2);
        break;
      case LTok::kYearDay:
        out += Pad(std::to_string(c.yday), 3, false, false);
        break;
      case LTok::kZeroYearDay:
        out += Num(c.yday, 3);
        break;
      case LTok::kHour:
        out += Num(c.hour, 2);
        break;
      case LTok::kHour12:
        out += std::to_string(h12);
        break;
      case LTok::kZeroHour12:
        out += Num(h12, 2);
        break;
      case LTok::kMinute:
        out += std::to_string(c.min);
        break;
      case LTok::kZeroMinute:
        out += Num(c.min, 2);
        break;
      case LTok::kSecond:
        out += std::to_string(c.sec);
        break;
      case LTok::kZeroSecond:
        out += Num(c.sec, 2);
        break;
      case LTok::kLongYear:
        out += Num(c.year, 4);
        break;
      case LTok::kYear:
        out += Num(c.year % 100, 2);
        break;
      case LTok::kPM:
        out += c.hour >= 12 ? "PM" : "AM";
        break;
      case LTok::kpm:
        out += c.hour >= 12 ? "pm" : "am";
        break;
      case LTok::kTZ:
        out += "UTC";
        break;
      case LTok::kISO8601TZ:
      case LTok::kISO8601ColonTZ:
      case LTok::kISO8601ShortTZ:
        out += "Z";
        break;
      case LTok::kNumTZ:
        out += "+0000";
        break;
      case LTok::kNumColonTZ:
        out += "+00:00";
        break;
      case LTok::kNumShortTZ:
        out += "+00";
        break;
      case LTok::kFracSecond0:
      case LTok::kFracSecond9: {
        std::string digits = Num(c.nanos, 9).substr(0, static_cast<size_t>(std::min(frac, 9)));
        if (t == LTok::kFracSecond9) {
          while (!digits.empty() && digits.back() == '0') digits.pop_back();
          if (!digits.empty()) out += "." + digits;
        } else {
          out += layout[i - static_cast<size_t>(frac) - 1] + digits;
        }
        break;
      }
      case LTok::kNone:
        break;
    }
  }
  return out;
}

bool GoParseTime(std::string_view layout, std::string_view value, int64_t* sec_out,
                 int64_t* nanos_out) {
  int64_t year = 1;
  int month = 1, day = 1, hour = 0, min = 0, sec = 0;
  int64_t nanos = 0;
  bool pm = false, pm_set = false;
  int64_t offset = 0;
  std::string lit;
  size_t i = 0;
  auto num = [&](int min_digits, int max_digits, int64_t* out) {
    size_t n = 0;
    int64_t v = 0;
    while (n < value.size() && n < static_cast<size_t>(max_digits) && value[n] >= '0' &&
           value[n] <= '9') {
      v = v * 10 + (value[n] - '0');
      ++n;
    }
    if (static_cast<int>(n) < min_digits) return false;
    *out = v;
    value.remove_prefix(n);
    return true;
  };
  while (true) {
    int frac = 0;
    LTok t = NextLayoutToken(layout, &i, &lit, &frac);
    if (!value.starts_with(lit)) return false;
    value.remove_prefix(lit.size());
    if (t == LTok::kNone) break;
    int64_t v = 0;
    switch (t) {
      case LTok::kLongMonth:
      case LTok::kMonth: {
        bool ok = false;
        for (int m = 0; m < 12; ++m) {
          std::string name = kMonths[m];
          if (t == LTok::kMonth) name = name.substr(0, 3);
          if (value.starts_with(name)) {
            month = m + 1, ok = true;
            value.remove_prefix(name.size());
            break;
          }
        }
        if (!ok) return false;
        break;
      }
      case LTok::kLongWeekDay:
      case LTok::kWeekDay: {
        bool ok = false;
        for (const char* d : kDays) {
          std::string name = d;
          if (t == LTok::kWeekDay) name = name.substr(0, 3);
          if (value.starts_with(name)) {
            ok = true;
            value.remove_prefix(name.size());
            break;
          }
        }
        if (!ok) return false;
        break;
      }
      case LTok::kNumMonth:
        if (!num(1, 2, &v)) return false;
        month = static_cast<int>(v);
        break;
      case LTok::kZeroMonth:
        if (!num(2, 2, &v)) return false;
        month = static_cast<int>(v);
        break;
      case LTok::kUnderDay:
        if (value.starts_with(" ")) value.remove_prefix(1);
        [[fallthrough]];
      case LTok::kDay:
        if (!num(1, 2, &v)) return false;
        day = static_cast<int>(v);
        break;
      case LTok::kZeroDay:
        if (!num(2, 2, &v)) return false;
        day = static_cast<int>(v);
        break;
      case LTok::kYearDay:
      case LTok::kZeroYearDay:
        if (!num(1, 3, &v)) return false;
        break;
      case LTok::kHour:
        if (!num(2, 2, &v)) return false;
        hour = static_cast<int>(v);
        break;
      case LTok::kHour12:
      case LTok::kZeroHour12:
        if (!num(1, 2, &v)) return false;
        hour = static_cast<int>(v);
        break;
      case LTok::kMinute:
      case LTok::kZeroMinute:
        if (!num(1, 2, &v)) return false;
        min = static_cast<int>(v);
        break;
      case LTok::kSecond:
      case LTok::kZeroSecond:
        if (!num(1, 2, &v)) return false;
        sec = static_cast<int>(v);
        // Go accepts a fractional second after seconds even when the layout has none.
        if (value.size() > 1 && value[0] == '.' && value[1] >= '0' && value[1] <= '9' &&
            !(i < layout.size() && layout[i] == '.')) {
          value.remove_prefix(1);
          int64_t f = 0;
          int digits = 0;
          while (!value.empty() && value[0] >= '0' && value[0] <= '9') {
            if (digits < 9) f = f * 10 + (value[0] - '0'), ++digits;
            value.remove_prefix(1);
          }
          while (digits++ < 9) f *= 10;
          nanos = f;
        }
        break;
      case LTok::kLongYear:
        if (!num(4, 4, &year)) return false;
        break;
      case LTok::kYear:
        if (!num(2, 2, &year)) return false;
        year += year >= 69 ? 1900 : 2000;
        break;
      case LTok::kPM:
      case LTok::kpm:
        if (value.size() < 2) return false;
        pm = value[0] == 'P' || value[0] == 'p';
        pm_set = true;
        value.remove_prefix(2);
        break;
      case LTok::kTZ:
        while (!value.empty() && value[0] >= 'A' && value[0] <= 'Z') value.remove_prefix(1);
        break;
      case LTok::kISO8601TZ:
      case LTok::kISO8601ColonTZ:
      case LTok::kISO8601ShortTZ:
        if (value.starts_with("Z")) {
          value.remove_prefix(1);
          break;
        }
        [[fallthrough]];
      case LTok::kNumTZ:
      case LTok::kNumColonTZ:
      case LTok::kNumShortTZ: {
        if (value.empty() || (value[0] != '+' && value[0] != '-')) return false;
        int64_t sgn = value[0] == '-' ? -1 : 1;
        value.remove_prefix(1);
        int64_t hh = 0, mm = 0;
        if (!num(2, 2, &hh)) return false;
        if (t != LTok::kNumShortTZ && t != LTok::kISO8601ShortTZ) {
          if (value.starts_with(":")) value.remove_prefix(1);
          if (!num(2, 2, &mm)) return false;
        }
        offset = sgn * (hh * 3600 + mm * 60);
        break;
      }
      case LTok::kFracSecond0:
      case LTok::kFracSecond9: {
        if (value.empty() || (value[0] != '.' && value[0] != ',')) {
          if (t == LTok::kFracSecond9) break;
          return false;
        }
        value.remove_prefix(1);
        int64_t f = 0;
        int digits = 0;
        while (!value.empty() && value[0] >= '0' && value[0] <= '9') {
          if (digits < 9) f = f * 10 + (value[0] - '0'), ++digits;
          value.remove_prefix(1);
        }
        while (digits++ < 9) f *= 10;
        nanos = f;
        break;
      }
      case LTok::kNone:
        break;
    }
  }
  if (!value.empty()) return false;
  if (pm_set) {
    if (hour > 12) return false;
    if (pm && hour < 12) hour += 12;
    if (!pm && hour == 12) hour = 0;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59) {
    return false;
  }
  int64_t days = DaysFromCivil(year, month, day);
  *sec_out = (days * 86400 + hour * 3600 + min * 60 + sec) - offset;
  *nanos_out = nanos;
  return true;
}

}  // namespace sawmill::query::log
