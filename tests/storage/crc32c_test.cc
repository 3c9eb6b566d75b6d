#include "storage/crc32c.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace sawmill
