#include "query/log/ip_matcher.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace sawmill::query::log {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int HexVal(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool ParseV4(std::string_view s, uint8_t out[4]) {
  int field = 0;
  size_t i = 0;
  while (field < 4) {
    if (i >= s.size() || !IsDigit(s[i])) return false;
    size_t start = i;
    int v = 0;
    while (i < s.size() && IsDigit(s[i])) {
      v = v * 10 + (s[i] - '0');
      if (v > 255) return false;
      ++i;
    }
    if (i - start > 1 && s[start] == '0') return false;  // leading zero
    out[field++] = static_cast<uint8_t>(v);
    if (field < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

bool ParseV6(std::string_view s, uint8_t out[16]) {
  size_t pct = s.find('%');
  if (pct != std::string_view::npos) {
    if (pct + 1 == s.size()) return false;
    s = s.substr(0, pct);
  }
  int ellipsis = -1;
  int n = 0;  // bytes written
  size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    ellipsis = 0;
    i = 2;
    if (i == s.size()) {
      std::memset(out, 0, 16);
      return true;
    }
  }
  while (i < s.size()) {
    size_t start = i;
    int v = 0;
    while (i < s.size() && IsHex(s[i]) && i - start < 4) {
      v = v * 16 + HexVal(s[i]);
      ++i;
    }
    if (i == start) return false;
    if (i < s.size() && IsHex(s[i])) return false;  // more than 4 hex digits
    if (i < s.size() && s[i] == '.') {
      // trailing IPv4
      if (n > 12) return false;
      uint8_t v4[4];
      if (!ParseV4(s.substr(start), v4)) return false;
      std::memcpy(out + n, v4, 4);
      n += 4;
      i = s.size();
      break;
    }
    if (n >= 16) return false;
    out[n++] = static_cast<uint8_t>(v >> 8);
    out[n++] = static_cast<uint8_t>(v & 0xff);
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (ellipsis >= 0) return false;
      ellipsis = n;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // trailing single colon
    }
  }
  if (n < 16) {
    if (ellipsis < 0) return false;
    int tail = n - ellipsis;
    std::memmove(out + 16 - tail, out + ellipsis, static_cast<size_t>(tail));
    std::memset(out + ellipsis, 0, static_cast<size_t>(16 - n));
  } else if (ellipsis >= 0 && n == 16) {
    return false;  // "::" must stand for at least one group
  }
  return true;
}

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool InPrefix(const IpAddr& net, int bits, const IpAddr& ip) {
  if (net.v6 != ip.v6) return false;
  int full = bits / 8, rest = bits % 8;
  if (std::memcmp(net.bytes.data(), ip.bytes.data(), static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (net.bytes[full] & mask) == (ip.bytes[full] & mask);
}

}  // namespace

std::optional<IpAddr> ParseIpAddr(std::string_view s) {
  IpAddr a;
  if (s.find(':') != std::string_view::npos) {
    a.v6 = true;
    if (!ParseV6(s, a.bytes.data())) return std::nullopt;
    return a;
  }
  if (!ParseV4(s, a.bytes.data())) return std::nullopt;
  return a;
}

Result<IpMatcher> IpMatcher::Parse(std::string_view pattern) {
  IpMatcher m;
  if (auto a = ParseIpAddr(pattern)) {
    m.kind_ = Kind::kAddr;
    m.from_ = *a;
    return m;
  }
  size_t slash = pattern.find('/');
  if (slash != std::string_view::npos) {
    std::string_view addr = pattern.substr(0, slash), bits = pattern.substr(slash + 1);
    auto a = ParseIpAddr(addr);
    bool ok = a.has_value() && addr.find('%') == std::string_view::npos && !bits.empty() &&
              bits.size() <= 3 && (bits.size() == 1 || bits[0] != '0');
    int n = 0;
    for (char c : bits) {
      if (!ok || !IsDigit(c)) {
        ok = false;
        break;
      }
      n = n * 10 + (c - '0');
    }
    if (ok && n <= (a->v6 ? 128 : 32)) {
      m.kind_ = Kind::kPrefix;
      m.from_ = *a;
      m.bits_ = n;
      return m;
    }
  }
  size_t dash = pattern.find('-');
  if (dash != std::string_view::npos) {
    auto from = ParseIpAddr(pattern.substr(0, dash));
    auto to = ParseIpAddr(pattern.substr(dash + 1));
    if (from && to && from->v6 == to->v6 && *from <= *to) {
      m.kind_ = Kind::kRange;
      m.from_ = *from;
      m.to_ = *to;
      return m;
    }
  }
  return Status::InvalidArgument("ip: invalid pattern: " + GoQuote(pattern));
}

bool IpMatcher::Contains(const IpAddr& ip) const {
  switch (kind_) {
    case Kind::kAddr:
      return ip == from_;
    case Kind::kPrefix:
      return InPrefix(from_, bits_, ip);
    case Kind::kRange:
      return ip.v6 == from_.v6 && from_ <= ip && ip <= to_;
  }
  return false;
}

bool IpMatcher::MatchesValue(std::string_view value) const {
  auto ip = ParseIpAddr(value);
  return ip.has_value() && Contains(*ip);
}

bool IpMatcher::MatchesLine(std::string_view line) const {
  const size_t n = line.size();
  auto span = [&](size_t start, bool v6) {
    size_t j = start;
    while (j < n) {
      char c = line[j];
      bool ok = IsDigit(c) || c == '.' || (v6 && (c == ':' || IsHex(c)));
      if (!ok) break;
      ++j;
    }
    return j - start;
  };
  size_t special = 0;  // the next '.' or ':' at or after i (every hint needs one in i..i+4)
  auto next_special = [&](size_t from) {
    const void* d = std::memchr(line.data() + from, '.', n - from);
    const void* c = std::memchr(line.data() + from, ':', n - from);
    size_t pd = d == nullptr ? n : static_cast<size_t>(static_cast<const char*>(d) - line.data());
    size_t pc = c == nullptr ? n : static_cast<size_t>(static_cast<const char*>(c) - line.data());
    return std::min(pd, pc);
  };
  for (size_t i = 0; i < n; ++i) {
    // Skip stretches where no hint can start: Loki's loop would only step over them.
    if (special < i) special = next_special(i);
    if (special == n) break;
    if (special > i + 4) i = special - 4;
    const char* p = line.data() + i;
    if (i + 3 < n && IsDigit(p[0]) && (p[1] == '.' || p[2] == '.' || p[3] == '.')) {
      size_t len = span(i, false);
      auto ip = ParseIpAddr(line.substr(i, len));
      if (ip && Contains(*ip)) return true;
      i += len;
      continue;
    }
    if (i + 4 < n) {
      bool hint = (p[0] == ':' && p[1] == ':' && IsHex(p[2])) || (IsHex(p[0]) && p[1] == ':') ||
                  (IsHex(p[0]) && IsHex(p[1]) && p[2] == ':') ||
                  (IsHex(p[0]) && IsHex(p[1]) && IsHex(p[2]) && p[3] == ':') ||
                  (IsHex(p[0]) && IsHex(p[1]) && IsHex(p[2]) && IsHex(p[3]) && p[4] == ':');
      if (hint) {
        size_t len = span(i, true);
        auto ip = ParseIpAddr(line.substr(i, len));
        if (ip && Contains(*ip)) return true;
        i += len;
        continue;
      }
    }
  }
  return false;
}

}  // namespace sawmill::query::log
