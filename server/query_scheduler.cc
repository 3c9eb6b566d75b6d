#include "server/query_scheduler.h"

#include <algorithm>
#include <chrono>

namespace sawmill::server {

const char kTooManyOutstandingRequests[] = "too many outstanding requests";

namespace {
// How often a waiting query looks at its guard: cancellation is a flag raised without
// notifying the scheduler.
constexpr std::chrono::milliseconds kPoll{20};
}  // namespace

QueryScheduler::QueryScheduler(size_t max_running, size_t max_queued)
    : max_running_(std::max<size_t>(1, max_running)), max_queued_(max_queued) {}

void QueryScheduler::Ticket::Release() {
  if (scheduler_ == nullptr) return;
  scheduler_->Release(guard_);
  scheduler_ = nullptr;
  guard_ = nullptr;
}

Status QueryScheduler::Acquire(query::engine::QueryGuard* guard, Ticket* ticket) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return Status::Unavailable("Sawmill is shutting down");
  if (queue_.empty() && running_.size() < max_running_) {
    running_.insert(guard);
    ticket->scheduler_ = this;
    ticket->guard_ = guard;
    return Status::OK();
  }
  if (queue_.size() >= max_queued_) {
    return Status::ResourceExhausted(kTooManyOutstandingRequests);
  }
  auto me = queue_.insert(queue_.end(), guard);
  Status s;
  while (true) {
    if (closed_) {
      s = Status::Unavailable("Sawmill is shutting down");
      break;
    }
    if (s = guard->Check(); !s.ok()) break;
    if (queue_.begin() == me && running_.size() < max_running_) break;
    changed_.wait_until(lock,
                        std::min(std::chrono::steady_clock::now() + kPoll, guard->deadline()));
  }
  queue_.erase(me);
  changed_.notify_all();  // the next one may now be first
  if (!s.ok()) return s;
  running_.insert(guard);
  ticket->scheduler_ = this;
  ticket->guard_ = guard;
  return Status::OK();
}

void QueryScheduler::Release(query::engine::QueryGuard* guard) {
  std::lock_guard<std::mutex> lock(mu_);
  running_.erase(guard);
  changed_.notify_all();
}

void QueryScheduler::CancelAll() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (query::engine::QueryGuard* g : running_) g->Cancel();
  changed_.notify_all();
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
