#include "query/log/label_name.h"

namespace sawmill::query::log {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

size_t Utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t min;
  uint32_t r;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80, r = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800, r = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, r = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
    r = (r << 6) | (b(i) & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r < 0xE000)) return 0;
  return n;
}

void AppendSanitizedLabelName(std::string* out, std::string_view key, bool prefix_digit) {
  while (!key.empty() && IsSpace(key.front())) key.remove_prefix(1);
  while (!key.empty() && IsSpace(key.back())) key.remove_suffix(1);
  if (key.empty()) return;
  if (prefix_digit && key[0] >= '0' && key[0] <= '9') out->push_back('_');
  size_t i = 0;
  while (i < key.size()) {
    char c = key[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
      out->push_back(c);
      ++i;
      continue;
    }
    out->push_back('_');
    size_t n = Utf8SequenceLength(key.substr(i));
    i += n == 0 ? 1 : n;
  }
}

std::string SanitizeLabelName(std::string_view key) {
  std::string out;
  AppendSanitizedLabelName(&out, key, true);
  return out;
}

bool ContainsRuneError(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s.substr(i));
    if (n == 0) return true;
    if (n == 3 && s.substr(i, 3) == "\xEF\xBF\xBD") return true;
    i += n;
  }
  return false;
}

}  // namespace sawmill::query::log
