// Crash durability: a child process writes through the store and reports each acknowledged
// write on a pipe; the parent kills it with SIGKILL at a random moment (mid-write, mid-flush,
// mid-fsync), reopens the store and checks that every acknowledged entry is there exactly
// once and that nothing at all is duplicated. Repeated over many kills on the same store.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "storage/store.h"
#include "tests/storage/store_test_util.h"

namespace sawmill::storage {
namespace {

constexpr int kStreams = 5;
constexpr int kEntriesPerBatch = 20;
constexpr int64_t kBase = 1795132800LL * 1000000000;

StoreOptions CrashOptions(const std::string& dir, SyncPolicy sync) {
  StoreOptions o = testing::TestOptions(dir);
  o.sync = sync;
  o.background_threads = true;
  o.background_interval = std::chrono::milliseconds(20);
  o.chunk_target_bytes = 16 << 10;  // flushes happen all the time
  o.chunk.block_target_bytes = 4 << 10;
  o.chunk_idle = std::chrono::milliseconds(30);
  // Past this the writers cut queued heads themselves, so flushes of one stream run in the
  // flusher and in writer threads at once.
  o.head_bytes_budget = 32 << 10;
  return o;
}

std::string Line(uint64_t id, int i) {
  return "id=" + std::to_string(id) + " i=" + std::to_string(i) +
         " some log text to make the entry a realistic size, padded out a little more";
}

// Runs in the child: two threads write batches until killed, reporting each acknowledged
// batch (an 8-byte pipe write is atomic). Concurrent writes reach the heads out of their
// records' seq order.
[[noreturn]] void ChildWriter(const std::string& dir, SyncPolicy sync, uint64_t first_id,
                              int ack_fd) {
  auto store = Store::Open(CrashOptions(dir, sync));
  if (!store.ok()) _exit(3);
  auto write_from = [&](uint64_t first) {
    for (uint64_t id = first;; ++id) {
      std::vector<std::string> lines;
      // Each write goes to two streams, so that they share its head record and flush it at
      // different times.
      StreamWrite w[2] = {{id % kStreams, {}}, {(id + 2) % kStreams, {}}};
      for (int i = 0; i < kEntriesPerBatch; ++i) lines.push_back(Line(id, i));
      for (int i = 0; i < kEntriesPerBatch; ++i) {
        // Mostly increasing, with some entries a little out of order.
        int64_t ts = kBase + static_cast<int64_t>(id) * 1000 + (i % 4 == 3 ? -1500 : i);
        w[i % 2].entries.push_back({ts, lines[i], {}});
      }
      WriteResult r;
      // Every other write carries its source: its head record is the body, not the entries.
      const std::span<const StreamWrite> writes(w, 2);
      Status s = id % 2 == 1 ? testing::WriteWithTestSource(store->get(), "tenant", writes, &r)
                             : (*store)->Write("tenant", writes, &r);
      if (!s.ok() || !r.rejected.empty()) _exit(4);
      if (write(ack_fd, &id, sizeof(id)) != sizeof(id)) _exit(5);
    }
  };
  std::thread second([&] { write_from(first_id + 500000); });
  write_from(first_id);
  _exit(6);  // not reached
}

void RunCrashRounds(SyncPolicy sync, int rounds) {
  testing::TempDir dir;
  std::set<uint64_t> acked;
  std::mt19937 rng(static_cast<unsigned>(sync) * 7919 + 17);
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const uint64_t first_id = static_cast<uint64_t>(round + 1) * 1000000;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      ChildWriter(dir.path(), sync, first_id, fds[1]);
    }
    close(fds[1]);
    // Kill after a random delay; read acks meanwhile so the pipe never fills.
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(std::uniform_int_distribution<int>(30, 300)(rng));
    std::string buf;
    auto drain = [&](bool block) {
      char tmp[4096];
      while (true) {
        if (!block) {
          fd_set set;
          FD_ZERO(&set);
          FD_SET(fds[0], &set);
          timeval tv{0, 1000};
          if (select(fds[0] + 1, &set, nullptr, nullptr, &tv) <= 0) return;
        }
        ssize_t n = read(fds[0], tmp, sizeof(tmp));
        if (n <= 0) return;
        buf.append(tmp, n);
      }
    };
    while (std::chrono::steady_clock::now() < deadline) drain(false);
    kill(pid, SIGKILL);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    drain(true);  // the write end is closed now: read everything that was acknowledged
    close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with " << WEXITSTATUS(wstatus);
    for (size_t off = 0; off + 8 <= buf.size(); off += 8) {
      uint64_t id;
      std::memcpy(&id, buf.data() + off, 8);
      acked.insert(id);
    }

    // Reopen (recovery) and check every stream.
    auto store = Store::Open(testing::TestOptions(dir.path()));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::map<std::pair<uint64_t, int>, int> seen;
    for (int s = 0; s < kStreams; ++s) {
      for (const testing::Got& g : testing::ReadAll(store->get(), "tenant", s)) {
        unsigned long long id = 0;
        int i = -1;
        ASSERT_EQ(std::sscanf(g.line.c_str(), "id=%llu i=%d", &id, &i), 2) << g.line;
        ASSERT_EQ(g.line, Line(id, i));
        ++seen[{id, i}];
      }
    }
    // The sample path does not drop repeats: it shows an entry stored twice (in a chunk and
    // in a head record), which the entry path would hide.
    size_t samples = 0;
    for (int s = 0; s < kStreams; ++s) {
      auto it = (*store)->ReadSamples("tenant", s, INT64_MIN, INT64_MAX, Direction::kForward);
      ASSERT_TRUE(it.ok());
      while ((*it)->Next()) ++samples;
      ASSERT_TRUE((*it)->status().ok());
    }
    EXPECT_EQ(samples, seen.size());
    for (const auto& [key, count] : seen) {
      ASSERT_EQ(count, 1) << "duplicated entry id=" << key.first << " i=" << key.second;
    }
    for (uint64_t id : acked) {
      for (int i = 0; i < kEntriesPerBatch; ++i) {
        ASSERT_EQ(seen.count({id, i}), 1u) << "lost acknowledged entry id=" << id << " i=" << i;
      }
    }
    // Closing flushes the replayed heads into chunks; the next child then adds chunks and
    // head records of its own, which the next recovery replays.
    ASSERT_TRUE((*store)->Close().ok());
  }
  EXPECT_GT(acked.size(), static_cast<size_t>(rounds));  // the children made progress
}

TEST(StoreCrashTest, GroupCommitLosesNothingAcknowledgedAcrossKills) {
  RunCrashRounds(SyncPolicy::kGroupCommit, 12);
}

TEST(StoreCrashTest, FsyncLosesNothingAcknowledgedAcrossKills) {
  RunCrashRounds(SyncPolicy::kFsync, 10);
}

}  // namespace
}  // namespace sawmill::storage
