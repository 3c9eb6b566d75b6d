#include "server/log.h"

#include <gtest/gtest.h>

namespace sawmill::server {
namespace {

std::chrono::system_clock::time_point At(int64_t unix_us) {
  return std::chrono::system_clock::time_point(std::chrono::microseconds(unix_us));
}

TEST(LogTest, FormatsLogfmtLikeLoki) {
  const std::string line =
      FormatLogLine(LogLevel::kInfo, At(1'795'435'200'123'456), "main.cc:42", "Sawmill started",
                    {{"port", 3100}, {"path", "/var/lib/sawmill"}, {"ready", true}});
  EXPECT_EQ(line,
            "level=info ts=2026-11-23T12:00:00.123456Z caller=main.cc:42 msg=\"Sawmill started\" "
            "port=3100 path=/var/lib/sawmill ready=true\n");
}

TEST(LogTest, QuotesAndEscapesOnlyWhenNeeded) {
  const std::string line = FormatLogLine(LogLevel::kError, At(0), "x.cc:1", "boom",
                                         {{"empty", ""},
                                          {"eq", "a=b"},
                                          {"quote", "say \"hi\""},
                                          {"nl", "two\nlines"},
                                          {"plain", "IOError:disk"}});
  EXPECT_EQ(line,
            "level=error ts=1970-01-01T00:00:00.000000Z caller=x.cc:1 msg=boom empty=\"\" "
            "eq=\"a=b\" quote=\"say \\\"hi\\\"\" nl=\"two\\nlines\" plain=IOError:disk\n");
}

TEST(LogTest, LevelsParseAndFilter) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    Result<LogLevel> parsed = ParseLogLevel(LogLevelName(level));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, level);
  }
  EXPECT_FALSE(ParseLogLevel("verbose").ok());

  SetLogLevel(LogLevel::kWarn);
  EXPECT_FALSE(LogEnabled(LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled(LogLevel::kWarn));
  EXPECT_TRUE(LogEnabled(LogLevel::kError));
  SetLogLevel(LogLevel::kInfo);
}

}  // namespace
}  // namespace sawmill::server
