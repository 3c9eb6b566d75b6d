#include "server/query_scheduler.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

#include "server/log.h"

namespace sawmill::server {

const char kTooManyOutstandingRequests[] = "too many outstanding requests";

namespace {
// How often the watcher looks at the queued guards while the queue is not empty:
// cancellation is a flag raised without notifying the scheduler.
constexpr std::chrono::milliseconds kPoll{20};

Status ShuttingDown() { return Status::Unavailable("Sawmill is shutting down"); }

// Works must not throw; one that does is a bug, logged, and must not end the thread (its
// request's Responder, dropped with the work, closes the connection).
void Call(const QueryScheduler::Work& work, const Status& admitted) {
  try {
    work(admitted);
  } catch (const std::exception& e) {
    LogError("uncaught exception in a query", {{"err", e.what()}});
  } catch (...) {
    LogError("uncaught exception in a query", {{"err", "unknown"}});
  }
}
}  // namespace

QueryScheduler::QueryScheduler(size_t max_running, size_t max_queued)
    : max_running_(std::max<size_t>(1, max_running)), max_queued_(max_queued) {
  workers_.reserve(max_running_);
  for (size_t i = 0; i < max_running_; ++i) workers_.emplace_back([this] { RunWorker(); });
  watcher_ = std::thread([this] { RunWatcher(); });
}

QueryScheduler::~QueryScheduler() { Shutdown(); }

void QueryScheduler::Submit(query::engine::QueryGuard* guard, Work work) {
  Status refused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) {
      refused = ShuttingDown();
    } else if (running_.size() + queue_.size() >= max_running_ + max_queued_) {
      refused = Status::ResourceExhausted(kTooManyOutstandingRequests);
    } else {
      queue_.push_back(Task{guard, std::move(work)});
      if (queue_.size() == 1) watch_cv_.notify_one();
    }
  }
  if (!refused.ok()) {
    work(refused);
    return;
  }
  work_cv_.notify_one();
}

void QueryScheduler::RunWorker() {
  while (true) {
    Task task;
    Status admitted;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closed, nothing left
      task = std::move(queue_.front());
      queue_.pop_front();
      admitted = closed_ ? ShuttingDown() : task.guard->Check();
      if (admitted.ok()) running_.insert(task.guard);
    }
    Call(task.work, admitted);
    if (admitted.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      running_.erase(task.guard);
    }
    // `task` (its work, which may own the guard) goes here, once the guard is forgotten.
  }
}

void QueryScheduler::TakeExpired(std::vector<std::pair<Task, Status>>* out) {
  for (auto it = queue_.begin(); it != queue_.end();) {
    Status s = it->guard->Check();
    if (s.ok()) {
      ++it;
      continue;
    }
    out->emplace_back(std::move(*it), std::move(s));
    it = queue_.erase(it);
  }
}

void QueryScheduler::RunWatcher() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!closed_) {
    if (queue_.empty()) {
      watch_cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
      continue;
    }
    auto until = std::chrono::steady_clock::now() + kPoll;
    for (const Task& t : queue_) until = std::min(until, t.guard->deadline());
    watch_cv_.wait_until(lock, until);
    if (closed_) break;
    std::vector<std::pair<Task, Status>> expired;
    TakeExpired(&expired);
    if (expired.empty()) continue;
    lock.unlock();
    for (auto& e : expired) Call(e.first.work, e.second);
    expired.clear();
    lock.lock();
  }
}

void QueryScheduler::CancelAll() {
  std::deque<Task> refused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    for (query::engine::QueryGuard* g : running_) g->Cancel();
    refused.swap(queue_);
  }
  work_cv_.notify_all();
  watch_cv_.notify_all();
  for (Task& t : refused) Call(t.work, ShuttingDown());
}

void QueryScheduler::Shutdown() {
  CancelAll();
  if (joined_) return;
  joined_ = true;
  for (std::thread& t : workers_) t.join();
  watcher_.join();
}

size_t QueryScheduler::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_.size();
}

size_t QueryScheduler::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

}  // namespace sawmill::server
