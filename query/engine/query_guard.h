// QueryGuard: what bounds one query while it runs. A deadline (-querier.query-timeout), a
// cancellation flag another thread may raise (the client closed its connection, the server is
// stopping), and a memory budget for what the query holds while it runs: the lines kept for
// the answer, the unwrapped samples, the per-series step arrays (-querier.max-query-memory).
//
// The engine's scan loops call Check() every few thousand entries and Charge() as they keep
// data; a failure becomes the query's error and every scan of the query stops at its next
// check. Charges are never given back during a query: the budget bounds the peak of what a
// query holds, which is what protects the process.
//
// Errors:
//   past the deadline     DeadlineExceeded(kQueryTimeoutMessage)          (HTTP 504)
//   cancelled             DeadlineExceeded(kQueryCancelledMessage); the HTTP layer tells the
//                         two apart with cancelled() and answers 499 as Loki does
//   over the budget       InvalidArgument(MemoryLimitMessage(limit))      (HTTP 400, as Loki's
//                         other per-query limits)
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "storage/status.h"

namespace sawmill::query::engine {

// Loki's message (HTTP 504) when a query runs past its time-out.
extern const char kQueryTimeoutMessage[];
// Go's context.Canceled text, which Loki answers with 499 when the client went away.
extern const char kQueryCancelledMessage[];

// "the query holds more than the per-query memory limit (512MB); ..."
std::string MemoryLimitMessage(uint64_t limit_bytes);

class QueryGuard {
 public:
  using Clock = std::chrono::steady_clock;

  // No deadline and no memory budget: only Cancel() stops the query.
  QueryGuard() = default;
  // `max_bytes` = 0 for no memory budget. When `external_cancel` is not null, its becoming
  // true cancels the query too (the HTTP server's client-gone flag); it must outlive the guard.
  QueryGuard(Clock::time_point deadline, uint64_t max_bytes,
             const std::atomic<bool>* external_cancel = nullptr)
      : deadline_(deadline), max_bytes_(max_bytes), external_cancel_(external_cancel) {}
  QueryGuard(const QueryGuard&) = delete;
  QueryGuard& operator=(const QueryGuard&) = delete;

  // Makes every later Check() fail. Idempotent.
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const {
    return cancelled_.load(std::memory_order_relaxed) ||
           (external_cancel_ != nullptr && external_cancel_->load(std::memory_order_relaxed));
  }

  Clock::time_point deadline() const { return deadline_; }

  // OK while the query may go on. Reads the clock: call it every few thousand entries, not
  // for each one.
  Status Check() const;

  // Adds `bytes` to what the query holds. InvalidArgument once the total passes the budget
  // (and from then on).
  Status Charge(uint64_t bytes);

  // Bytes charged so far (the query's peak holding, as charged).
  uint64_t charged() const { return charged_.load(std::memory_order_relaxed); }

 private:
  const Clock::time_point deadline_ = Clock::time_point::max();
  const uint64_t max_bytes_ = 0;
  const std::atomic<bool>* const external_cancel_ = nullptr;
  std::atomic<bool> cancelled_{false};
  std::atomic<uint64_t> charged_{0};
};

// Charges a QueryGuard in batches, so that scan loops touch the shared counter once per
// kBatch bytes rather than once per entry. Not thread-safe: one per scanning thread.
class MemoryCharger {
 public:
  static constexpr uint64_t kBatch = 64 << 10;

  // `guard` may be null (nothing is charged).
  explicit MemoryCharger(QueryGuard* guard) : guard_(guard) {}

  Status Add(uint64_t bytes) {
    pending_ += bytes;
    if (pending_ < kBatch || guard_ == nullptr) return Status::OK();
    const uint64_t n = pending_;
    pending_ = 0;
    return guard_->Charge(n);
  }
  // Charges what is pending; call when the scan ends, so small holdings of many scans add up.
  Status Flush() {
    const uint64_t n = pending_;
    pending_ = 0;
    return guard_ == nullptr || n == 0 ? Status::OK() : guard_->Charge(n);
  }

 private:
  QueryGuard* guard_;
  uint64_t pending_ = 0;
};

// Where a scan loop asks whether to go on: every `every` lines it checks the flag the
// query's scans share ("another scan failed") and the guard, so that the clock is read once
// per few thousand entries. Not thread-safe: one per scanning thread.
class ScanCheckpoint {
 public:
  // `failed` and `guard` must outlive the checkpoint.
  ScanCheckpoint(const std::atomic<bool>* failed, const QueryGuard* guard, uint64_t every)
      : failed_(failed), guard_(guard), every_(every), next_(every) {}

  // `lines`: the lines the scan has read so far. False when it must stop: then *error is the
  // guard's refusal, or OK when another scan failed (its error is the query's).
  bool Continue(uint64_t lines, Status* error) {
    if (lines < next_) return true;
    next_ = lines + every_;
    if (failed_->load(std::memory_order_relaxed)) return false;
    *error = guard_->Check();
    return error->ok();
  }

 private:
  const std::atomic<bool>* failed_;
  const QueryGuard* guard_;
  const uint64_t every_;
  uint64_t next_;
};

}  // namespace sawmill::query::engine
