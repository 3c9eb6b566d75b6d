#include "server/runtime_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sawmill::server {
namespace {

class RuntimeConfigTest : public ::testing::Test {
 protected:
  void Write(const std::string& text) {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << text;
  }
  const std::string path_ =
      ::testing::TempDir() + "runtime_config_test_" + std::to_string(::getpid()) + ".yaml";
  ~RuntimeConfigTest() override { std::filesystem::remove(path_); }
};

TEST_F(RuntimeConfigTest, LoadsReloadsAndKeepsThePreviousOnError) {
  ingest::PushLimits defaults;
  defaults.max_line_size = 100;
  ingest::Overrides overrides(defaults);
  Write("overrides:\n  a:\n    max_line_size: 200\n");
  RuntimeConfig config(path_, std::chrono::hours(1), &overrides);
  ASSERT_TRUE(config.Start().ok());
  EXPECT_EQ(overrides.For("a").max_line_size, 200u);
  EXPECT_EQ(overrides.For("b").max_line_size, 100u);

  Write("overrides:\n  a:\n    max_line_size: lots\n");
  Status bad = config.Reload();
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find(path_ + ": line 3, col 20: overrides.a.max_line_size"),
            std::string::npos)
      << bad.message();
  EXPECT_EQ(overrides.For("a").max_line_size, 200u);

  Write("overrides:\n  b:\n    max_line_size: 300\n");
  ASSERT_TRUE(config.Reload().ok());
  EXPECT_EQ(overrides.For("a").max_line_size, 100u);
  EXPECT_EQ(overrides.For("b").max_line_size, 300u);

  std::filesystem::remove(path_);
  EXPECT_FALSE(config.Reload().ok());  // a vanished file: an error, overrides unchanged
  EXPECT_EQ(overrides.For("b").max_line_size, 300u);
  config.Stop();
}

TEST_F(RuntimeConfigTest, StartFailsOnAnInvalidFile) {
  ingest::Overrides overrides;
  Write("overrides: [\n");
  RuntimeConfig config(path_, std::chrono::hours(1), &overrides);
  Status s = config.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("line"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace sawmill::server
