// Helpers shared by the store tests: temporary directories and reading a whole stream.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "storage/coding.h"
#include "storage/head_log.h"
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

// A WriteSource body format for tests, kTestSource: the streams of `writes` in reverse order
// (so that origins are not the identity), each as count:varint, then per entry
// ts:fixed64 | line:lp | metadata:lp.
inline constexpr uint8_t kTestSource = 0x7e;
inline std::string EncodeTestSource(std::span<const StreamWrite> writes) {
  std::string body;
  for (size_t i = writes.size(); i-- > 0;) {
    PutVarint64(&body, writes[i].entries.size());
    for (const EntryRef& e : writes[i].entries) {
      PutFixed64(&body, static_cast<uint64_t>(e.ts_ns));
      PutLengthPrefixed(&body, e.line);
      PutLengthPrefixed(&body, e.metadata);
    }
  }
  return body;
}
inline Status DecodeTestSource(uint8_t format, std::string_view body, DecodedSource* out) {
  if (format != kTestSource) return Status::InvalidArgument("not a test source");
  out->streams.clear();
  out->bytes.clear();
  body = out->bytes.emplace_back(body);
  while (!body.empty()) {
    uint64_t n;
    if (!GetVarint64(&body, &n)) return Status::InvalidArgument("bad count");
    std::vector<EntryRef>& entries = out->streams.emplace_back();
    for (uint64_t i = 0; i < n; ++i) {
      if (body.size() < 8) return Status::InvalidArgument("truncated");
      EntryRef e;
      e.ts_ns = static_cast<int64_t>(DecodeFixed64(body.data()));
      body.remove_prefix(8);
      if (!GetLengthPrefixed(&body, &e.line) || !GetLengthPrefixed(&body, &e.metadata)) {
        return Status::InvalidArgument("truncated");
      }
      entries.push_back(e);
    }
  }
  return Status::OK();
}

// store->Write() of `writes` with their kTestSource body as the WriteSource.
inline Status WriteWithTestSource(Store* store, std::string_view tenant,
                                  std::span<const StreamWrite> writes, WriteResult* result) {
  const std::string body = EncodeTestSource(writes);
  std::vector<uint32_t> origins;
  for (size_t i = 0; i < writes.size(); ++i) {
    origins.push_back(static_cast<uint32_t>(writes.size() - 1 - i));
  }
  const WriteSource source{kTestSource, body, origins};
  return store->Write(tenant, writes, &source, result);
}

inline StoreOptions TestOptions(const std::string& dir) {
  StoreOptions o;
  o.data_dir = dir;
  o.background_threads = false;
  o.block_cache_bytes = 8 << 20;
  o.source_decoder = DecodeTestSource;
  return o;
}

// Runs `f` in a child process that exits without closing anything (as a crash would, for
// everything written to the WAL file), and expects it to return true. `f` must not close a
// store either: RocksDB's background threads are not in the child, so a close would wait.
inline void InChild(const std::function<bool()>& f) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(f() ? 0 : 1);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), 0) << "a step in the child failed";
}

// The first byte of each record in the head log of the store in `data_dir` (0: entries,
// kSourceRecord: a request body).
inline std::vector<uint8_t> HeadLogRecordKinds(const std::string& data_dir) {
  std::vector<uint8_t> kinds;
  auto log = HeadLog::Open(data_dir + "/headlog", 1 << 20);  // reads only
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  if (!log.ok()) return kinds;
  uint64_t torn = 0;
  EXPECT_TRUE((*log)
                  ->Replay(
                      [&](uint64_t, uint64_t, std::string_view, std::string_view rec) {
                        kinds.push_back(rec.empty() ? 0xff : static_cast<uint8_t>(rec[0]));
                        return Status::OK();
                      },
                      &torn)
                  .ok());
  return kinds;
}

}  // namespace sawmill::storage::testing
