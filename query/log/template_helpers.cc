#include "query/log/template_helpers.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <unordered_map>

#include "query/log/units.h"

namespace sawmill::query::log::tmpl {
namespace {

using K = Value::Kind;

Status Err(std::string msg) { return Status::InvalidArgument(std::move(msg)); }

}  // namespace

std::string TrimZeroDecimal(const std::string& s) {
  bool zero = false;
  for (size_t i = s.size(); i > 0; --i) {
    char c = s[i - 1];
    if (c == '.') {
      if (zero) return s.substr(0, i - 1);
    } else if (c == '0') {
      zero = true;
    } else {
      return s;
    }
  }
  return s;
}

// Go's int64(f) on amd64: truncation, and 0x8000000000000000 when out of range or NaN.
int64_t FloatToInt64(double f) {
  if (!(f > -9223372036854775808.0 && f < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(f);
}

// Go's wrapping int64 arithmetic (signed overflow is undefined in C++).
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t WrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// cast.ToInt64: lenient, 0 when it does not convert.
int64_t ToInt64(const Value& v) {
  switch (v.kind) {
    case K::kInt:
      return v.i;
    case K::kFloat:
      return FloatToInt64(v.f);
    case K::kBool:
      return v.b ? 1 : 0;
    case K::kString: {
      std::string s = TrimZeroDecimal(v.s);
      std::erase(s, '_');
      if (s.empty()) return 0;
      errno = 0;
      char* end = nullptr;
      long long r = std::strtoll(s.c_str(), &end, 0);
      if (end != s.c_str() + s.size() || errno != 0 ||
          std::isspace(static_cast<unsigned char>(s[0]))) {
        return 0;
      }
      return r;
    }
    default:
      return 0;
  }
}

double ToFloat64(const Value& v) {
  switch (v.kind) {
    case K::kInt:
      return static_cast<double>(v.i);
    case K::kFloat:
      return v.f;
    case K::kBool:
      return v.b ? 1 : 0;
    case K::kString: {
      double f;
      std::string err;
      return ParseGoFloat(v.s, &f, &err) ? f : 0;
    }
    default:
      return 0;
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string TrimCut(std::string_view s, std::string_view cut, bool left, bool right) {
  while (left && !s.empty() && cut.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  while (right && !s.empty() && cut.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
  return std::string(s);
}
std::string TrimSpace(std::string_view s) { return TrimCut(s, " \t\n\r\v\f", true, true); }
std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to, int64_t n) {
  std::string out;
  if (from.empty()) {
    // Go inserts `to` before every rune and at the end (up to n times).
    for (size_t i = 0; i <= s.size(); ++i) {
      if (n != 0) {
        out += to;
        if (n > 0) --n;
      }
      if (i < s.size()) out.push_back(s[i]);
      if (out.size() > kMaxOutput) break;
    }
    return out;
  }
  size_t pos = 0;
  while (n != 0) {
    size_t at = s.find(from, pos);
    if (at == std::string_view::npos) break;
    out.append(s.substr(pos, at - pos));
    out.append(to);
    pos = at + from.size();
    if (n > 0) --n;
    if (out.size() > kMaxOutput) break;
  }
  out.append(s.substr(pos));
  return out;
}

// Compiled regexes, shared by every template run (Loki compiles on each call).
std::shared_ptr<RE2> Regex(const std::string& pattern, std::string* err) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<RE2>>* cache =
      new std::unordered_map<std::string, std::shared_ptr<RE2>>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache->find(pattern);
  if (it != cache->end()) return it->second;
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_shared<RE2>(pattern, o);
  if (!re->ok()) {
    *err = "error parsing regexp: " + re->error();
    return nullptr;
  }
  if (cache->size() > 256) cache->clear();
  (*cache)[pattern] = re;
  return re;
}

// Go's Regexp.ReplaceAllString / ReplaceAllLiteralString.
std::string RegexReplace(const RE2& re, std::string_view src, std::string_view repl, bool literal) {
  int ngroups = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> g(static_cast<size_t>(ngroups));
  std::string out;
  size_t pos = 0, last_end = std::string_view::npos;
  re2::StringPiece text(src.data(), src.size());
  while (pos <= src.size()) {
    if (!re.Match(text, pos, src.size(), RE2::UNANCHORED, g.data(), ngroups)) break;
    size_t ms = static_cast<size_t>(g[0].data() - src.data());
    size_t me = ms + g[0].size();
    if (me == ms && ms == last_end) {
      // An empty match right after the previous match is ignored.
      if (pos >= src.size()) break;
      out.push_back(src[pos]);
      ++pos;
      continue;
    }
    out.append(src.substr(pos, ms - pos));
    if (literal) {
      out.append(repl);
    } else {
      for (size_t i = 0; i < repl.size(); ++i) {
        if (repl[i] != '$' || i + 1 >= repl.size()) {
          out.push_back(repl[i]);
          continue;
        }
        if (repl[i + 1] == '$') {
          out.push_back('$');
          ++i;
          continue;
        }
        std::string name;
        size_t j = i + 1;
        if (repl[j] == '{') {
          size_t close = repl.find('}', j);
          if (close == std::string_view::npos) {
            out.push_back('$');
            continue;
          }
          name = std::string(repl.substr(j + 1, close - j - 1));
          j = close + 1;
        } else {
          while (j < repl.size() &&
                 (std::isalnum(static_cast<unsigned char>(repl[j])) || repl[j] == '_'))
            ++j;
          name = std::string(repl.substr(i + 1, j - i - 1));
        }
        if (name.empty()) {
          out.push_back('$');
          continue;
        }
        int idx = -1;
        if (std::all_of(name.begin(), name.end(),
                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
          idx = name.size() < 6 ? std::atoi(name.c_str()) : -1;
        } else {
          auto it = re.NamedCapturingGroups().find(name);
          if (it != re.NamedCapturingGroups().end()) idx = it->second;
        }
        if (idx >= 0 && idx < ngroups && g[static_cast<size_t>(idx)].data() != nullptr) {
          out.append(g[static_cast<size_t>(idx)].data(), g[static_cast<size_t>(idx)].size());
        }
        i = j - 1;
      }
    }
    if (out.size() > kMaxOutput) break;
    last_end = me;
    if (me == ms) {
      if (ms < src.size()) out.push_back(src[ms]);
      pos = ms + 1;
    } else {
      pos = me;
    }
  }
  if (pos < src.size()) out.append(src.substr(pos));
  return out;
}

size_t RegexCount(const RE2& re, std::string_view src) {
  re2::StringPiece text(src.data(), src.size());
  re2::StringPiece m;
  size_t pos = 0, n = 0, last_end = std::string_view::npos;
  while (pos <= src.size() && re.Match(text, pos, src.size(), RE2::UNANCHORED, &m, 1)) {
    size_t ms = static_cast<size_t>(m.data() - src.data()), me = ms + m.size();
    if (!(me == ms && ms == last_end)) ++n;
    last_end = me;
    pos = me == ms ? ms + 1 : me;
  }
  return n;
}

bool Empty(const Value& v) {
  switch (v.kind) {
    case K::kInvalid:
    case K::kNil:
      return true;
    case K::kString:
      return v.s.empty();
    case K::kInt:
      return v.i == 0;
    case K::kFloat:
      return v.f == 0;
    case K::kBool:
      return !v.b;
    case K::kMap:
      return v.map == nullptr || v.map->empty();
    case K::kList:
      return v.list == nullptr || v.list->empty();
    case K::kTime:
      return false;
  }
  return true;
}

// text/template's eq/lt: basic kinds only.
Result<int> CompareValues(const Value& a, const Value& b, bool ordered) {
  auto bad = [] { return Err("incompatible types for comparison"); };
  if (a.kind == K::kInvalid || b.kind == K::kInvalid) return Err("invalid type for comparison");
  if (a.kind != b.kind) {
    if (!ordered && (a.kind == K::kNil || b.kind == K::kNil)) return a.kind == b.kind ? 0 : 1;
    return bad();
  }
  switch (a.kind) {
    case K::kString:
      return a.s < b.s ? -1 : a.s == b.s ? 0 : 1;
    case K::kInt:
      return a.i < b.i ? -1 : a.i == b.i ? 0 : 1;
    case K::kFloat:
      return a.f < b.f ? -1 : a.f == b.f ? 0 : 1;
    case K::kBool:
      if (ordered) return Err("invalid type for comparison");
      return a.b == b.b ? 0 : 1;
    default:
      if (ordered) return Err("invalid type for comparison");
      return Err("non-comparable types");
  }
}

std::string QueryEscape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<std::string> QueryUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      auto hex = [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c))
                   ? (std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                                                                  : (std::tolower(c) - 'a' + 10))
                   : -1;
      };
      if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) {
        std::string bad(s.substr(i, std::min<size_t>(3, s.size() - i)));
        return Err("invalid URL escape " + GoQuote(bad));
      }
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string B64Enc(std::string_view s) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(s[i]) << 16) | (static_cast<uint8_t>(s[i + 1]) << 8) |
                 static_cast<uint8_t>(s[i + 2]);
    out += {k[n >> 18], k[(n >> 12) & 63], k[(n >> 6) & 63], k[n & 63]};
  }
  if (i + 1 == s.size()) {
    uint32_t n = static_cast<uint8_t>(s[i]) << 16;
    out += {k[n >> 18], k[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == s.size()) {
    uint32_t n = (static_cast<uint8_t>(s[i]) << 16) | (static_cast<uint8_t>(s[i + 1]) << 8);
    out += {k[n >> 18], k[(n >> 12) & 63], k[(n >> 6) & 63], '='};
  }
  return out;
}

std::string B64Dec(std::string_view s) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    int q[4];
    int n = 0;
    for (; n < 4 && i + static_cast<size_t>(n) < s.size(); ++n) {
      char c = s[i + static_cast<size_t>(n)];
      if (c == '=') break;
      q[n] = val(c);
      if (q[n] < 0)
        return "illegal base64 data at input byte " + std::to_string(i + static_cast<size_t>(n));
    }
    if (n < 4) {
      // padding or the end: Go's StdEncoding needs full quanta
      size_t pad_at = i + static_cast<size_t>(n);
      if (n < 2) return "illegal base64 data at input byte " + std::to_string(pad_at);
      size_t need = pad_at + static_cast<size_t>(4 - n);
      for (size_t k = pad_at; k < need; ++k) {
        if (k >= s.size() || s[k] != '=')
          return "illegal base64 data at input byte " + std::to_string(std::min(k, s.size()));
      }
      if (need != s.size()) return "illegal base64 data at input byte " + std::to_string(need);
      uint32_t v = (q[0] << 18) | (q[1] << 12) | (n > 2 ? q[2] << 6 : 0);
      out.push_back(static_cast<char>(v >> 16));
      if (n > 2) out.push_back(static_cast<char>((v >> 8) & 255));
      return out;
    }
    uint32_t v = (q[0] << 18) | (q[1] << 12) | (q[2] << 6) | q[3];
    out +=
        {static_cast<char>(v >> 16), static_cast<char>((v >> 8) & 255), static_cast<char>(v & 255)};
    i += 4;
  }
  return out;
}

std::string Title(std::string s) {
  bool prev_sep = true;
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    bool sep = u < 0x80 && !(std::isalnum(u) || c == '_');
    if (prev_sep && !sep) c = static_cast<char>(std::toupper(u));
    prev_sep = sep;
  }
  return s;
}

// Time of a date argument: a time, or unix seconds as an int.
bool TimeArg(const Value& v, int64_t* sec, int64_t* nanos) {
  if (v.kind == K::kTime) {
    *sec = v.i, *nanos = v.nanos;
    return true;
  }
  if (v.kind == K::kInt) {
    *sec = v.i, *nanos = 0;
    return true;
  }
  return false;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace sawmill::query::log::tmpl
