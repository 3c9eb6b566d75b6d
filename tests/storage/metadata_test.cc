#include "storage/metadata.h"

#include <gtest/gtest.h>

namespace sawmill::storage {
namespace {

using Views = std::vector<std::pair<std::string_view, std::string_view>>;

TEST(MetadataTest, EmptyEncodesAsEmptyString) {
  EXPECT_EQ(EncodeMetadata({}), "");
  Views out = {{"stale", "x"}};
  EXPECT_TRUE(DecodeMetadata("", &out));
  EXPECT_TRUE(out.empty());
}

TEST(MetadataTest, RoundTrips) {
  MetadataPairs pairs = {{"trace_id", "abc123"}, {"", ""}, {"user", std::string(300, 'u')}};
  std::string encoded = EncodeMetadata(pairs);
  Views out;
  ASSERT_TRUE(DecodeMetadata(encoded, &out));
  ASSERT_EQ(out.size(), pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(out[i].first, pairs[i].first);
    EXPECT_EQ(out[i].second, pairs[i].second);
  }
}

TEST(MetadataTest, RejectsMalformed) {
  std::string good = EncodeMetadata({{"k", "v"}, {"key2", "value2"}});
  Views out;
  for (size_t n = 1; n < good.size(); ++n) {
    SCOPED_TRACE(n);
    EXPECT_FALSE(DecodeMetadata(std::string_view(good).substr(0, n), &out));
    EXPECT_TRUE(out.empty());
  }
  EXPECT_FALSE(DecodeMetadata(good + "x", &out));              // trailing bytes
  EXPECT_FALSE(DecodeMetadata("\xff\xff\xff\xff\x0f", &out));  // huge count
  EXPECT_FALSE(DecodeMetadata("\x01\x05k\x01v", &out));        // key longer than input
}

}  // namespace
}  // namespace sawmill::storage
