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

#if defined(__SSE2__)
// The candidate test both searchers run over 16 starts at once: bit k is set when the byte at
// p + k equals `first` and the byte at p + k + n - 1 equals `final`. With kFold each byte is
// OR-ed with its fold mask first (0x20 folds an ASCII letter to lower case, 0 keeps a byte).
template <bool kFold>
struct PairTest {
  __m128i first, final, fold_first, fold_final;

  unsigned Mask16(const char* p, size_t n) const {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 1));
    if constexpr (kFold) {
      a = _mm_or_si128(a, fold_first);
      b = _mm_or_si128(b, fold_final);
    }
    return static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, final))));
  }
};

// Tests the starts 0..last of h with `test`, 32 starts per step while they fit, then 16, and
// returns the first candidate start that verify(start) accepts, or npos with *next set to the
// first start not tested (fewer than 16 are left for the caller's byte loop). One test and
// one well-predicted branch per 32 bytes of text.
template <bool kFold, typename Verify>
inline size_t FindCandidate(const char* h, size_t n, size_t last, const PairTest<kFold>& test,
                            Verify verify, size_t* next) {
  size_t i = 0;
  // A step at i reads h[i .. i + 31 + n - 1], so it needs i + 31 <= last.
  for (; i + 31 <= last; i += 32) {
    uint32_t mask = test.Mask16(h + i, n) | (test.Mask16(h + i + 16, n) << 16);
    while (mask != 0) {
      const size_t start = i + static_cast<unsigned>(__builtin_ctz(mask));
      if (verify(start)) return start;
      mask &= mask - 1;
    }
  }
  for (; i + 15 <= last; i += 16) {
    unsigned mask = test.Mask16(h + i, n);
    while (mask != 0) {
      const size_t start = i + static_cast<unsigned>(__builtin_ctz(mask));
      if (verify(start)) return start;
      mask &= mask - 1;
    }
  }
  *next = i;
  return SubstringSearcher::npos;
}
#endif

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
  const PairTest<false> test{_mm_set1_epi8(needle_[0]), _mm_set1_epi8(needle_[n - 1]),
                             _mm_setzero_si128(), _mm_setzero_si128()};
  const size_t found = FindCandidate(
      h, n, last, test,
      [&](size_t at) { return std::memcmp(h + at + 1, needle_.data() + 1, n - 2) == 0; }, &i);
  if (found != npos) return found;
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
  auto fold = [](char c) { return _mm_set1_epi8(c >= 'a' && c <= 'z' ? 0x20 : 0); };
  const PairTest<true> test{_mm_set1_epi8(lower_[0]), _mm_set1_epi8(lower_[n - 1]), fold(lower_[0]),
                            fold(lower_[n - 1])};
  const size_t found = FindCandidate(
      h, n, last, test, [&](size_t at) { return EqualsFoldedAscii(h + at, lower_.data(), n); }, &i);
  if (found != npos) return found;
#endif
  for (; i <= last; ++i) {
    if (EqualsFoldedAscii(h + i, lower_.data(), n)) return i;
  }
  return npos;
}

}  // namespace sawmill::query::log
