#include "query/engine/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <memory>

namespace sawmill::query::engine {

ThreadPool::ThreadPool(size_t threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Run(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void ThreadPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  if (n == 1) {
    fn(0);
    return;
  }
  // Shared by the helpers; a helper that starts after every index is taken returns at once.
  struct State {
    std::atomic<size_t> next{0};
    std::mutex mu;
    std::condition_variable done_cv;
    size_t active = 0;  // helpers inside the loop, guarded by mu
  };
  auto state = std::make_shared<State>();
  auto work = [state, n, &fn] {
    for (;;) {
      const size_t i = state->next.fetch_add(1, std::memory_order_relaxed);
      if (i >= n) return;
      fn(i);
    }
  };
  const size_t helpers = std::min(n - 1, workers_.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t h = 0; h < helpers; ++h) {
      queue_.push_back([state, work] {
        {
          std::lock_guard<std::mutex> l(state->mu);
          ++state->active;
        }
        work();
        std::lock_guard<std::mutex> l(state->mu);
        if (--state->active == 0) state->done_cv.notify_all();
      });
    }
  }
  cv_.notify_all();
  work();
  // Every index is taken; wait for helpers still running one. Helpers that start later find
  // no index left and never touch fn.
  std::unique_lock<std::mutex> lock(state->mu);
  state->done_cv.wait(lock, [&] { return state->active == 0; });
}

}  // namespace sawmill::query::engine
