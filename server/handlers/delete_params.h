// What the delete API parses and prints (server/handlers/delete.h), apart so that the
// libFuzzer target can build it alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/result.h"

namespace sawmill::server {

// Loki's parseTime for the delete API: RFC 3339, or exactly 10 characters of (float) Unix
// seconds; Unix milliseconds. `now_ms` when empty.
Result<int64_t> ParseDeleteTime(std::string_view text, int64_t now_ms);

// Prometheus' model.Time as JSON: float seconds, shortest form ("1700000000.5").
std::string ModelTimeJson(int64_t ms);

}  // namespace sawmill::server
