#include "query/log/logfmt_picker.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "query/log/label_name.h"
#include "query/log/logfmt_decoder.h"

namespace sawmill::query::log {
namespace {

// The bytes a label name keeps as they are: [a-zA-Z0-9_].
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  return t;
}();

// True when some byte of [p, p + n) is below 0x20 (8 bytes at a time).
bool HasControlByte(const char* p, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    if (((x - kOnes * 0x20) & ~x & (kOnes * 0x80)) != 0) return true;
  }
  for (; i < n; ++i) {
    if (static_cast<unsigned char>(p[i]) < 0x20) return true;
  }
  return false;
}

// True when some byte of [p, p + n) is 0x80 or above: only then can ContainsRuneError hold.
inline bool HasHighByte(const char* p, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    if ((x & 0x8080808080808080ull) != 0) return true;
  }
  for (; i < n; ++i) {
    if (static_cast<unsigned char>(p[i]) >= 0x80) return true;
  }
  return false;
}

inline bool IsStop(unsigned char c) { return c == '=' || c == '"' || c <= ' '; }

#if defined(__SSE2__)
// The bits of the 16 bytes at p that end a key or bare value ('=', '"', <= ' '); with kKey,
// *nonplain gets the bits of the bytes outside [a-zA-Z0-9_].
template <bool kKey>
inline unsigned StopMask(const char* p, unsigned* nonplain) {
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i stop = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('=')), _mm_cmpeq_epi8(b, _mm_set1_epi8('"'))),
      _mm_cmpeq_epi8(_mm_min_epu8(b, _mm_set1_epi8(0x20)), b));
  if constexpr (kKey) {
    // x in [lo, lo + span] (unsigned) <=> min(x - lo, span) == x - lo.
    auto in = [](__m128i x, char lo, char span) {
      const __m128i off = _mm_sub_epi8(x, _mm_set1_epi8(lo));
      return _mm_cmpeq_epi8(_mm_min_epu8(off, _mm_set1_epi8(span)), off);
    };
    const __m128i ok =
        _mm_or_si128(_mm_or_si128(in(b, '0', 9), in(_mm_or_si128(b, _mm_set1_epi8(0x20)), 'a', 25)),
                     _mm_cmpeq_epi8(b, _mm_set1_epi8('_')));
    *nonplain = ~static_cast<unsigned>(_mm_movemask_epi8(ok)) & 0xFFFFu;
  }
  return static_cast<unsigned>(_mm_movemask_epi8(stop));
}

// The bits of the 16 bytes at p that are '"' or '\\'.
inline unsigned QuoteMask(const char* p) {
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return static_cast<unsigned>(_mm_movemask_epi8(
      _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('"')), _mm_cmpeq_epi8(b, _mm_set1_epi8('\\')))));
}
#endif

// The end of a key or bare value starting at `pos`: the first '=', '"' or byte <= ' ' at or
// after it, or n. With kKey, clears *plain when a byte before the end is outside
// [a-zA-Z0-9_].
template <bool kKey>
inline size_t TokenEnd(const char* d, size_t pos, size_t n, bool* plain) {
#if defined(__SSE2__)
  if (n >= 16) {
    unsigned nonplain = 0;
    for (; pos + 16 <= n; pos += 16) {
      const unsigned stop = StopMask<kKey>(d + pos, &nonplain);
      if constexpr (kKey) {
        if ((nonplain & (stop == 0 ? 0xFFFFu : (stop & (0u - stop)) - 1)) != 0) *plain = false;
      }
      if (stop != 0) return pos + static_cast<size_t>(__builtin_ctz(stop));
    }
    if (pos >= n) return n;
    // The last bytes: the 16 ending at n, without those before pos.
    const unsigned skip = static_cast<unsigned>(pos - (n - 16));
    const unsigned stop = StopMask<kKey>(d + n - 16, &nonplain) >> skip;
    if constexpr (kKey) {
      nonplain >>= skip;
      if ((nonplain & (stop == 0 ? 0xFFFFu : (stop & (0u - stop)) - 1)) != 0) *plain = false;
    }
    return stop != 0 ? pos + static_cast<size_t>(__builtin_ctz(stop)) : n;
  }
#endif
  for (; pos < n; ++pos) {
    const unsigned char c = static_cast<unsigned char>(d[pos]);
    if (IsStop(c)) return pos;
    if constexpr (kKey) *plain &= kPlain[c];
  }
  return n;
}

// The first '"' or '\\' at or after `pos`, or n (also when pos > n).
inline size_t QuoteOrBackslash(const char* d, size_t pos, size_t n) {
#if defined(__SSE2__)
  if (n >= 16 && pos < n) {
    for (; pos + 32 <= n; pos += 32) {
      const unsigned mask = QuoteMask(d + pos) | (QuoteMask(d + pos + 16) << 16);
      if (mask != 0) return pos + static_cast<size_t>(__builtin_ctz(mask));
    }
    if (pos + 16 <= n) {
      const unsigned mask = QuoteMask(d + pos);
      if (mask != 0) return pos + static_cast<size_t>(__builtin_ctz(mask));
      pos += 16;
    }
    if (pos >= n) return n;
    const unsigned mask = QuoteMask(d + n - 16) >> (pos - (n - 16));
    return mask != 0 ? pos + static_cast<size_t>(__builtin_ctz(mask)) : n;
  }
#endif
  for (; pos < n; ++pos) {
    if (d[pos] == '"' || d[pos] == '\\') return pos;
  }
  return n;
}

// Whether LogfmtUnquote accepts `quoted` (a quoted value with escapes), without copying it
// when it holds neither `'` (LogfmtUnquote folds `\'` before the JSON rules) nor `\u`.
bool ValidQuoted(std::string_view quoted, std::string* scratch) {
  const std::string_view in = quoted.substr(1, quoted.size() - 2);
  if (std::memchr(in.data(), '\'', in.size()) != nullptr) return LogfmtUnquote(quoted, scratch);
  if (HasControlByte(in.data(), in.size())) return false;
  size_t i = 0;
  for (;;) {
    const void* b = std::memchr(in.data() + i, '\\', in.size() - i);
    if (b == nullptr) return true;
    i = static_cast<size_t>(static_cast<const char*>(b) - in.data()) + 1;
    if (i >= in.size()) return false;
    switch (in[i]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        ++i;
        break;
      case 'u':
        return LogfmtUnquote(quoted, scratch);
      default:
        return false;
    }
  }
}

}  // namespace

LogfmtPicker::LogfmtPicker(std::span<const std::string> names) {
  for (const std::string& n : names) wants_.push_back({n, {}, {}});
}

int LogfmtPicker::MatchSanitized(std::string_view key) {
  name_buf_.clear();
  AppendSanitizedLabelName(&name_buf_, key, true);
  const std::string_view name = name_buf_;
  if (name.empty()) return -1;
  if (name.size() >= 2 && name[0] == '_' && name[1] == '_') return -2;
  for (size_t i = 0; i < wants_.size(); ++i) {
    if (wants_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool LogfmtPicker::Pick(std::string_view line) {
  for (Want& w : wants_) w.value = {};
  const char* d = line.data();
  const size_t n = line.size();
  size_t pos = 0;
  for (;;) {
    while (pos < n && static_cast<unsigned char>(d[pos]) <= ' ') ++pos;  // garbage
    if (pos >= n) return true;
    // The key: up to '=', '"' (an error), a space or the end (a bare key).
    const size_t start = pos;
    bool plain = !(d[pos] >= '0' && d[pos] <= '9');  // a leading digit is prefixed with '_'
    pos = TokenEnd<true>(d, pos, n, &plain);
    const bool eol = pos >= n;
    const unsigned char c = eol ? 0 : static_cast<unsigned char>(d[pos]);
    if (c == '"' || (c == '=' && pos == start)) return false;  // unexpected byte
    const std::string_view key(d + start, pos - start);
    // The stage's label name: the key itself when plain (no '_' added or replaced).
    int m = -1;
    if (plain) {
      if (key.size() >= 2 && key[0] == '_' && key[1] == '_') return false;
      for (size_t i = 0; i < wants_.size(); ++i) {
        const std::string& name = wants_[i].name;
        if (name.size() == key.size() && name[0] == key[0] &&
            std::memcmp(name.data(), key.data(), key.size()) == 0) {
          m = static_cast<int>(i);
          break;
        }
      }
    } else {
      if (ContainsRuneError(key)) return false;  // invalid key
      m = MatchSanitized(key);
      if (m == -2) return false;
    }
    Want* w = m >= 0 ? &wants_[static_cast<size_t>(m)] : nullptr;
    if (c != '=') {  // a bare key: an empty value
      if (w != nullptr) w->value = {};
      continue;
    }
    ++pos;  // '='
    if (pos >= n || static_cast<unsigned char>(d[pos]) <= ' ') {
      if (w != nullptr) w->value = {};
      continue;
    }
    std::string_view value;
    if (d[pos] == '"') {
      // The first '"' not escaped by a backslash ends the value (each backslash escapes the
      // byte after it).
      const size_t qstart = pos;
      bool has_esc = false;
      size_t p = pos + 1;
      for (;;) {
        p = QuoteOrBackslash(d, p, n);
        if (p >= n) return false;  // unterminated quoted value
        if (d[p] == '"') break;
        has_esc = true;
        p += 2;
      }
      pos = p + 1;
      const std::string_view quoted(d + qstart, pos - qstart);
      if (has_esc) {
        if (w == nullptr) {
          if (!ValidQuoted(quoted, &scratch_)) return false;  // invalid quoted value
          continue;
        }
        if (!LogfmtUnquote(quoted, &w->buf)) return false;
        value = w->buf;
      } else {
        if (w == nullptr) continue;
        value = quoted.substr(1, quoted.size() - 2);
      }
    } else {
      const size_t vstart = pos;
      pos = TokenEnd<false>(d, pos, n, nullptr);
      if (n > pos && static_cast<unsigned char>(d[pos]) > 0x20) {
        return false;  // an unexpected '=' or '"'
      }

      if (w == nullptr) continue;
      value = std::string_view(d + vstart, pos - vstart);
    }
    w->value = HasHighByte(value.data(), value.size()) && ContainsRuneError(value)
                   ? std::string_view()
                   : value;
  }
}

}  // namespace sawmill::query::log
