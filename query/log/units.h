// Go's number, duration and byte-size parsing as LogQL label filters use them, with Go's
// error texts (they become __error_details__):
//   ParseGoFloat     strconv.ParseFloat(s, 64)  `strconv.ParseFloat: parsing "x": invalid syntax`
//   ParseGoDuration  time.ParseDuration         `time: invalid duration "x"`
//   ParseHumanBytes  humanize.ParseBytes        `unhandled size name: x`
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sawmill::query::log {

// Go's strconv.Quote-like quoting used in those messages.
std::string GoQuote(std::string_view s);

// Returns false and sets *err on failure.
bool ParseGoFloat(std::string_view s, double* out, std::string* err);
// Nanoseconds.
bool ParseGoDuration(std::string_view s, int64_t* out, std::string* err);
bool ParseHumanBytes(std::string_view s, uint64_t* out, std::string* err);

}  // namespace sawmill::query::log
