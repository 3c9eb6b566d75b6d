#include "storage/status.h"

#include <gtest/gtest.h>

#include "storage/coding.h"
#include "storage/result.h"

namespace sawmill {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument("odd");
  return v / 2;
}

Status Quarter(int v, int* out) {
  SAW_ASSIGN_OR_RETURN(int half, Half(v));
  SAW_ASSIGN_OR_RETURN(*out, Half(half));
  return Status::OK();
}

TEST(StatusTest, PropagatesErrorsThroughResult) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status s = Quarter(6, &out);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.ToString(), "InvalidArgument: odd");
}

TEST(CodingTest, VarintRoundTripAndTruncation) {
  const uint64_t values[] = {0, 1, 127, 128, 300, UINT32_MAX, UINT64_MAX};
  for (uint64_t v : values) {
    SCOPED_TRACE(v);
    std::string buf;
    PutVarint64(&buf, v);
    std::string_view in = buf;
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
    EXPECT_TRUE(in.empty());
    std::string_view cut(buf.data(), buf.size() - 1);
    EXPECT_FALSE(GetVarint64(&cut, &got));
  }
}

TEST(CodingTest, BigEndianSortsNumerically) {
  std::string a, b;
  PutBigEndian64(&a, 255);
  PutBigEndian64(&b, 256);
  EXPECT_LT(a, b);
  EXPECT_EQ(DecodeBigEndian64(b.data()), 256u);
  EXPECT_EQ(ZigZagDecode(ZigZagEncode(-5)), -5);
}

}  // namespace
}  // namespace sawmill
