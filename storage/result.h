// Result<T>: a value or a non-OK Status. The return type of fallible calls that produce
// something. Accessing value() of an error Result is a programmer error (asserted).
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "storage/status.h"

namespace sawmill {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok());
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

// Assigns the value of a Result expression to `lhs`, or returns its Status.
#define SAW_CONCAT_INNER_(a, b) a##b
#define SAW_CONCAT_(a, b) SAW_CONCAT_INNER_(a, b)
#define SAW_ASSIGN_OR_RETURN(lhs, expr) \
  SAW_ASSIGN_OR_RETURN_IMPL_(SAW_CONCAT_(saw_result_, __LINE__), lhs, expr)
#define SAW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

}  // namespace sawmill
