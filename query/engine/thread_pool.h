// A fixed pool of worker threads for query execution, so that one query can use every core
// without running on (and blocking) the HTTP server's threads for longer than it waits.
//
//   ThreadPool pool(4);
//   pool.ParallelFor(streams.size(), [&](size_t i) { Scan(streams[i]); });
//
// ParallelFor hands indexes out one at a time through a shared counter; the calling thread
// works too, so a ParallelFor never waits for a pool busy with other queries to start.
//
// Thread-safety: all methods may be called from any thread; ParallelFor from many at once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sawmill::query::engine {

class ThreadPool {
 public:
  // `threads` = 0 means one per hardware thread.
  explicit ThreadPool(size_t threads = 0);
  ~ThreadPool();  // finishes queued work, then joins
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size(); }

  // Calls fn(i) for every i in [0, n), on up to size() + 1 threads (the caller included),
  // and returns when every call has returned. fn must not throw.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace sawmill::query::engine
