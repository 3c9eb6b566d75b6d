// The push bodies captured from real client libraries (tests/testdata/push/README.md).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace sawmill::ingest {

// The bytes of tests/testdata/push/<name> (SAW_PUSH_TESTDATA_DIR, set by tests/ingest's
// CMakeLists.txt for the tests that read them).
inline std::string ReadGolden(const std::string& name) {
  std::ifstream in(std::string(SAW_PUSH_TESTDATA_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace sawmill::ingest
