#include "query/log/logfmt_decoder.h"

#include <algorithm>
#include <cstring>

#include "query/log/json_scan.h"
#include "query/log/label_name.h"

namespace sawmill::query::log {
namespace {

// Go's %q of one byte, as in `unexpected '"'`.
std::string QuoteByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  switch (c) {
    case '\'':
      return "'\\''";
    case '\\':
      return "'\\\\'";
    case '\n':
      return "'\\n'";
    case '\t':
      return "'\\t'";
    case '\r':
      return "'\\r'";
    default:
      break;
  }
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  if (u >= 0x80) {
    // Go prints the rune (a byte >= 0x80 converted to rune is U+0080..U+00FF).
    char buf[16];
    if (u < 0xa0) {
      snprintf(buf, sizeof buf, "'\\u%04x'", u);
      return buf;
    }
    std::string s = "'";
    s.push_back(static_cast<char>(0xC0 | (u >> 6)));
    s.push_back(static_cast<char>(0x80 | (u & 0x3F)));
    return s + "'";
  }
  char buf[16];
  snprintf(buf, sizeof buf, "'\\x%02x'", u);
  return buf;
}

}  // namespace

bool LogfmtUnquote(std::string_view quoted, std::string* out) {
  const std::string_view in = quoted.substr(1, quoted.size() - 2);
  // Any control byte is an error (none is part of a `\'` pair); a loop without an early exit,
  // which the compiler vectorises.
  unsigned char lowest = 0xFF;
  for (char c : in) lowest = std::min(lowest, static_cast<unsigned char>(c));
  if (lowest < ' ') return false;
  if (std::memchr(in.data(), '\'', in.size()) == nullptr) {
    return json::UnescapeJsonString(in, out);  // no `\'` to fold first
  }
  thread_local std::string tmp;
  tmp.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\\' && i + 1 < in.size() && in[i + 1] == '\'') {
      tmp.push_back('\'');
      ++i;
      continue;
    }
    tmp.push_back(in[i]);
  }
  return json::UnescapeJsonString(tmp, out);
}

void LogfmtDecoder::SyntaxError(std::string_view msg) {
  err_ = "logfmt syntax error at pos " + std::to_string(pos_ + 1) + " : " + std::string(msg);
}

void LogfmtDecoder::UnexpectedByte(char c) { SyntaxError("unexpected " + QuoteByte(c)); }

bool LogfmtDecoder::ScanKeyval() {
  key_ = {};
  value_ = {};
  const std::string_view line = line_;
  const size_t n = line.size();
  // garbage
  while (pos_ < n && static_cast<unsigned char>(line[pos_]) <= ' ') ++pos_;
  if (pos_ >= n) return false;

  // key
  size_t start = pos_;
  bool multibyte = false;
  bool key_set = false;
  for (; pos_ < n; ++pos_) {
    unsigned char c = static_cast<unsigned char>(line[pos_]);
    if (c == '=') {
      if (pos_ > start) {
        key_ = line.substr(start, pos_ - start);
        key_set = true;
        if (multibyte && ContainsRuneError(key_)) {
          SyntaxError("invalid key");
          goto skip_value;
        }
      }
      if (!key_set) {
        UnexpectedByte(static_cast<char>(c));
        goto skip_value;
      }
      goto equal;
    }
    if (c == '"') {
      UnexpectedByte('"');
      goto skip_value;
    }
    if (c <= ' ') {
      if (pos_ > start) {
        key_ = line.substr(start, pos_ - start);
        if (multibyte && ContainsRuneError(key_)) {
          SyntaxError("invalid key");
          return false;
        }
      }
      return true;
    }
    if (c >= 0x80) multibyte = true;
  }
  pos_ = n;
  if (pos_ > start) {
    key_ = line.substr(start, pos_ - start);
    if (multibyte && ContainsRuneError(key_)) {
      SyntaxError("invalid key");
      return false;
    }
  }
  return true;

equal:
  ++pos_;
  if (pos_ >= n) return true;
  {
    unsigned char c = static_cast<unsigned char>(line[pos_]);
    if (c <= ' ') return true;
    if (c == '"') goto qvalue;
  }
  // value
  start = pos_;
  for (; pos_ < n; ++pos_) {
    unsigned char c = static_cast<unsigned char>(line[pos_]);
    if (c == '=' || c == '"') {
      UnexpectedByte(static_cast<char>(c));
      goto skip_value;
    }
    if (c <= ' ') {
      if (pos_ > start) value_ = line.substr(start, pos_ - start);
      return true;
    }
  }
  pos_ = n;
  if (pos_ > start) value_ = line.substr(start, pos_ - start);
  return true;

skip_value:
  for (; pos_ < n; ++pos_) {
    if (static_cast<unsigned char>(line[pos_]) <= ' ') return false;
  }
  pos_ = n;
  return false;

qvalue : {
  // memchr to the next quote, then to a backslash before it (each escapes the byte after it):
  // quoted values are most of a logfmt line, and most have no escape.
  bool has_esc = false;
  start = pos_;
  for (size_t p = pos_ + 1; p < n;) {
    const char* q = static_cast<const char*>(memchr(line.data() + p, '"', n - p));
    if (q == nullptr) break;
    const size_t quote = static_cast<size_t>(q - line.data());
    const char* b = static_cast<const char*>(memchr(line.data() + p, '\\', quote - p));
    if (b != nullptr) {
      has_esc = true;
      p = static_cast<size_t>(b - line.data()) + 2;  // the escaped byte is skipped
      continue;
    }
    {
      pos_ = quote + 1;
      if (has_esc) {
        if (!LogfmtUnquote(line.substr(start, pos_ - start), &buf_)) {
          SyntaxError("invalid quoted value");
          return false;
        }
        value_ = buf_;
      } else {
        size_t vs = start + 1, ve = pos_ - 1;
        if (ve > vs) value_ = line.substr(vs, ve - vs);
      }
      return true;
    }
  }
  pos_ = n;
  SyntaxError("unterminated quoted value");
  return false;
}
}

}  // namespace sawmill::query::log
