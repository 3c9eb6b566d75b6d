// RFC 3339 timestamps as Go writes and parses them (time.RFC3339Nano), for the legacy push
// format: "2019-09-13T18:32:22.380001319Z", "2019-09-13T20:32:22+02:00".
#pragma once

#include <cstdint>
#include <string_view>

namespace sawmill::ingest {

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" into Unix nanoseconds, as Go's
// time.Parse(time.RFC3339, s) does: a fraction of any length (digits past the 9th are
// dropped), ',' accepted for '.', seconds 0-59. Returns false on bad syntax, an impossible
// date or a time outside the int64 nanosecond range (years ~1678-2262).
bool ParseRfc3339Nanos(std::string_view s, int64_t* ts_ns);

}  // namespace sawmill::ingest
