// Helpers shared by the store tests: temporary directories and reading a whole stream.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/store.h"

namespace sawmill::storage::testing {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sawmill-test-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Got {
  int64_t ts;
  std::string line;
  std::string metadata;
  bool operator==(const Got&) const = default;
};

inline std::vector<Got> ReadAll(Store* store, std::string_view tenant, uint64_t stream,
                                int64_t from = INT64_MIN, int64_t to = INT64_MAX,
                                Direction d = Direction::kForward) {
  std::vector<Got> out;
  auto it = store->Read(tenant, stream, from, to, d);
  EXPECT_TRUE(it.ok()) << it.status().ToString();
  if (!it.ok()) return out;
  while ((*it)->Next()) {
    const EntryView& e = (*it)->entry();
    out.push_back({e.ts_ns, std::string(e.line), std::string(e.metadata)});
  }
  EXPECT_TRUE((*it)->status().ok()) << (*it)->status().ToString();
  return out;
}

inline StoreOptions TestOptions(const std::string& dir) {
  StoreOptions o;
  o.data_dir = dir;
  o.background_threads = false;
  o.block_cache_bytes = 8 << 20;
  return o;
}

}  // namespace sawmill::storage::testing
