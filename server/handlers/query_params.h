// The parameters of Loki's query API, parsed as Loki's loghttp package does:
//
//   form     GET query string and, for POST, an application/x-www-form-urlencoded body
//   times    integer Unix ns (10 digits or fewer: seconds), float seconds with a '.', or
//            RFC 3339 (nano); `since` a duration; end defaults to now, start to end - since
//            (since defaults to 1h)
//   limit    positive integer, default 100
//   direction forward|backward (any case), default backward
//   step     float seconds or a duration; default max(range / 250, 1s)
//
// Errors are InvalidArgument with Loki's messages (the handlers answer 400).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/router.h"
#include "storage/chunk_reader.h"
#include "storage/result.h"

namespace sawmill::server {

// Decoded form values, in request order; repeated names are kept (match[]).
class Form {
 public:
  // The query string, plus the body of a POST whose Content-Type is form-urlencoded.
  static Result<Form> FromRequest(const Request& request);
  // Parses one application/x-www-form-urlencoded string into *this.
  Status AddEncoded(std::string_view encoded);

  // The first value of `name`, or "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// One timestamp as Loki parses it; `def` when `text` is empty.
Result<int64_t> ParseTimestamp(std::string_view text, int64_t def);
// Float seconds ("1.5", "30") or a Prometheus duration ("1m", "1h30m"), as Loki's
// parseSecondsOrDuration; `def` when empty.
Result<int64_t> ParseSecondsOrDuration(std::string_view text, int64_t def_ns);

struct RangeParams {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  size_t limit = 100;
  storage::Direction direction = storage::Direction::kBackward;
  int64_t step_ns = 0;
};

// start/end/since/limit/direction/step of a range query; `now_ns` is the default end.
Result<RangeParams> ParseRangeParams(const Form& form, int64_t now_ns);
// start/end/since of the label and series endpoints (no step, limit or direction).
Result<RangeParams> ParseBounds(const Form& form, int64_t now_ns);
// limit/direction of an instant query, time in start_ns and end_ns.
Result<RangeParams> ParseInstantParams(const Form& form, int64_t now_ns);

// Go's time.Duration.String(): "1h0m0s", "2m30s", "1.5s", "0s".
std::string GoDurationString(int64_t ns);

int64_t NowNs();

}  // namespace sawmill::server
