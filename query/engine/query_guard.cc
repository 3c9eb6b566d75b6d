#include "query/engine/query_guard.h"

namespace sawmill::query::engine {

const char kQueryTimeoutMessage[] =
    "request timed out, decrease the duration of the request or add more label matchers (prefer "
    "exact match over regex match) to reduce the amount of data processed";

const char kQueryCancelledMessage[] = "context canceled";

std::string MemoryLimitMessage(uint64_t limit_bytes) {
  return "the query holds more than the per-query memory limit (" + std::to_string(limit_bytes) +
         " bytes, -querier.max-query-memory); consider adding more specific stream selectors, "
         "reducing the time range, the limit or the number of series of the query";
}

Status QueryGuard::Check() const {
  if (cancelled()) return Status::DeadlineExceeded(kQueryCancelledMessage);
  if (deadline_ != Clock::time_point::max() && Clock::now() > deadline_) {
    return Status::DeadlineExceeded(kQueryTimeoutMessage);
  }
  return Status::OK();
}

Status QueryGuard::Charge(uint64_t bytes) {
  const uint64_t total = charged_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (max_bytes_ > 0 && total > max_bytes_) {
    return Status::InvalidArgument(MemoryLimitMessage(max_bytes_));
  }
  return Status::OK();
}

}  // namespace sawmill::query::engine
