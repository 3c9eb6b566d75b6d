#include "storage/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sawmill {
namespace {

TEST(Crc32cTest, MatchesKnownVectors) {
  // From RFC 3720, B.4.
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c::Value(zeros), 0x8a9136aau);
  std::string ones(32, '\xff');
  EXPECT_EQ(crc32c::Value(ones), 0x62a8ab43u);
  EXPECT_EQ(crc32c::Value("123456789"), 0xe3069283u);
}

TEST(Crc32cTest, ExtendEqualsWholeValue) {
  std::string s = "hello world, a longer string that spans several words";
  uint32_t part = crc32c::Extend(crc32c::Value(s.data(), 10), s.data() + 10, s.size() - 10);
  EXPECT_EQ(part, crc32c::Value(s));
}

// Bit by bit, the definition: reflected Castagnoli polynomial, register inverted in and out.
uint32_t Reference(uint32_t init, std::string_view s) {
  uint32_t c = ~init;
  for (unsigned char b : s) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
  }
  return ~c;
}

TEST(Crc32cTest, MatchesTheDefinitionAtEveryLengthAndAlignment) {
  // Long inputs are checksummed as three interleaved stretches of 8192 or 256 bytes, then
  // combined: lengths around those multiples, and odd start addresses.
  std::mt19937 rng(9);
  std::string buf(3 * 8192 * 2 + 3 * 256 * 2 + 64, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  std::vector<size_t> lengths;
  for (size_t n = 0; n < 1000; ++n) lengths.push_back(n);
  for (size_t base : {size_t{3 * 256}, size_t{3 * 8192}, size_t{2 * 3 * 8192}}) {
    for (size_t d = 0; d < 20; ++d) {
      lengths.push_back(base + d);
      lengths.push_back(base - d - 1);
    }
  }
  for (int i = 0; i < 50; ++i) lengths.push_back(rng() % (buf.size() - 8));
  for (size_t n : lengths) {
    for (size_t start : {size_t{0}, size_t{1}, size_t{7}}) {
      const std::string_view s(buf.data() + start, n);
      ASSERT_EQ(crc32c::Value(s), Reference(0, s)) << n << " from " << start;
      const size_t cut = n / 3;
      EXPECT_EQ(crc32c::Extend(crc32c::Value(s.substr(0, cut)), s.data() + cut, n - cut),
                Reference(0, s))
          << n;
    }
  }
}

}  // namespace
}  // namespace sawmill
