#include "query/log/substring.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sawmill::query::log {
namespace {

inline char ToLowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

inline bool EqualsFoldedAscii(const char* p, const char* lower, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (ToLowerAscii(p[i]) != lower[i]) return false;
  }
  return true;
}

}  // namespace

SubstringSearcher::SubstringSearcher(std::string_view needle) : needle_(needle) {}

size_t SubstringSearcher::Find(std::string_view hay) const {
  const size_t n = needle_.size();
  if (n == 0) return 0;
  if (hay.size() < n) return npos;
  const char* h = hay.data();
  if (n == 1) {
    const void* p = std::memchr(h, needle_[0], hay.size());
    return p == nullptr ? npos : static_cast<size_t>(static_cast<const char*>(p) - h);
  }
  const size_t last = hay.size() - n;  // the last valid start
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i first = _mm_set1_epi8(needle_[0]);
  const __m128i final = _mm_set1_epi8(needle_[n - 1]);
  // Two blocks per step while they fit: the candidates of 32 starts in one mask, one test
  // and one well-predicted branch per 32 bytes of text.
  for (; i + 31 <= last; i += 32) {
    const __m128i a0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i));
    const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + n - 1));
    const __m128i a1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + 16));
    const __m128i b1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + 16 + n - 1));
    uint32_t mask = static_cast<uint32_t>(_mm_movemask_epi8(
                        _mm_and_si128(_mm_cmpeq_epi8(a0, first), _mm_cmpeq_epi8(b0, final)))) |
                    static_cast<uint32_t>(_mm_movemask_epi8(
                        _mm_and_si128(_mm_cmpeq_epi8(a1, first), _mm_cmpeq_epi8(b1, final))))
                        << 16;
    while (mask != 0) {
      const unsigned bit = static_cast<unsigned>(__builtin_ctz(mask));
      if (std::memcmp(h + i + bit + 1, needle_.data() + 1, n - 2) == 0) return i + bit;
      mask &= mask - 1;
    }
  }
  // Block k tests starts i..i+15; it reads h[i .. i+15+n-1], so it needs i + 15 <= last.
  for (; i + 15 <= last; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + n - 1));
    unsigned mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, final))));
    while (mask != 0) {
      const unsigned bit = static_cast<unsigned>(__builtin_ctz(mask));
      if (std::memcmp(h + i + bit + 1, needle_.data() + 1, n - 2) == 0) return i + bit;
      mask &= mask - 1;
    }
  }
#endif
  for (; i <= last; ++i) {
    if (h[i] == needle_[0] && h[i + n - 1] == needle_[n - 1] &&
        std::memcmp(h + i + 1, needle_.data() + 1, n - 2) == 0) {
      return i;
    }
  }
  return npos;
}

bool CaseInsensitiveSearcher::IsAsciiNeedle(std::string_view needle) {
  for (unsigned char c : needle) {
    if (c >= 0x80) return false;
  }
  return true;
}

CaseInsensitiveSearcher::CaseInsensitiveSearcher(std::string_view needle) {
  lower_.reserve(needle.size());
  for (char c : needle) lower_.push_back(ToLowerAscii(c));
}

size_t CaseInsensitiveSearcher::Find(std::string_view hay) const {
  const size_t n = lower_.size();
  if (n == 0) return 0;
  if (hay.size() < n) return npos;
  const char* h = hay.data();
  const size_t last = hay.size() - n;
  size_t i = 0;
#if defined(__SSE2__)
  // OR-ing 0x20 folds ASCII letters to lower case; for a letter needle byte, compare the
  // folded haystack byte, otherwise the byte itself.
  auto is_letter = [](char c) { return c >= 'a' && c <= 'z'; };
  const char f0 = lower_[0], f1 = lower_[n - 1];
  const __m128i first = _mm_set1_epi8(f0);
  const __m128i final = _mm_set1_epi8(f1);
  const __m128i fold_first = _mm_set1_epi8(is_letter(f0) ? 0x20 : 0);
  const __m128i fold_final = _mm_set1_epi8(is_letter(f1) ? 0x20 : 0);
  // Two blocks per step while they fit, as in SubstringSearcher::Find.
  for (; i + 31 <= last; i += 32) {
    const __m128i a0 =
        _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i)), fold_first);
    const __m128i b0 =
        _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + n - 1)), fold_final);
    const __m128i a1 =
        _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + 16)), fold_first);
    const __m128i b1 = _mm_or_si128(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + 16 + n - 1)), fold_final);
    uint32_t mask = static_cast<uint32_t>(_mm_movemask_epi8(
                        _mm_and_si128(_mm_cmpeq_epi8(a0, first), _mm_cmpeq_epi8(b0, final)))) |
                    static_cast<uint32_t>(_mm_movemask_epi8(
                        _mm_and_si128(_mm_cmpeq_epi8(a1, first), _mm_cmpeq_epi8(b1, final))))
                        << 16;
    while (mask != 0) {
      const unsigned bit = static_cast<unsigned>(__builtin_ctz(mask));
      if (EqualsFoldedAscii(h + i + bit, lower_.data(), n)) return i + bit;
      mask &= mask - 1;
    }
  }
  for (; i + 15 <= last; i += 16) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + n - 1));
    a = _mm_or_si128(a, fold_first);
    b = _mm_or_si128(b, fold_final);
    unsigned mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, final))));
    while (mask != 0) {
      const unsigned bit = static_cast<unsigned>(__builtin_ctz(mask));
      if (EqualsFoldedAscii(h + i + bit, lower_.data(), n)) return i + bit;
      mask &= mask - 1;
    }
  }
#endif
  for (; i <= last; ++i) {
    if (EqualsFoldedAscii(h + i, lower_.data(), n)) return i;
  }
  return npos;
}

}  // namespace sawmill::query::log
