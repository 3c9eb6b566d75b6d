#include "storage/time_format.h"

#include <gtest/gtest.h>

namespace sawmill {
namespace {

TEST(TimeFormatTest, FormatsLikeGo) {
  constexpr int64_t kBase = 1795132800LL * 1000000000;  // 2026-11-20T00:00:00Z
  EXPECT_EQ(FormatRfc3339Nano(kBase + 5), "2026-11-20T00:00:00.000000005Z");
  EXPECT_EQ(FormatGoTime(kBase), "2026-11-20 00:00:00 +0000 UTC");
  EXPECT_EQ(FormatGoTime(kBase + 500000000), "2026-11-20 00:00:00.5 +0000 UTC");
  EXPECT_EQ(FormatRfc3339Nano(-1), "1969-12-31T23:59:59.999999999Z");
}

}  // namespace
}  // namespace sawmill
