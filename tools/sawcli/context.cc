#include "tools/sawcli/context.h"

#include <cstdio>
#include <ctime>
#include <iostream>

#include "tools/sawcli/time_text.h"

namespace sawmill::sawcli {

void LogNote(std::string_view message) {
  const time_t now = time(nullptr);
  struct tm tm {};
  localtime_r(&now, &tm);
  char prefix[96];
  std::snprintf(prefix, sizeof(prefix), "%04d/%02d/%02d %02d:%02d:%02d ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = prefix;
  out.append(message);
  out.push_back('\n');
  std::fwrite(out.data(), 1, out.size(), stderr);
}

Result<TimeRange> ResolveTimeRange(const TimeRangeFlags& flags, int64_t now_ns) {
  TimeRange r;
  r.end_ns = now_ns;
  r.start_ns = now_ns - flags.since_ns;
  if (!flags.to.empty()) {
    SAW_ASSIGN_OR_RETURN(r.end_ns, ParseRfc3339(flags.to));
  }
  if (!flags.from.empty()) {
    SAW_ASSIGN_OR_RETURN(r.start_ns, ParseRfc3339(flags.from));
  }
  if (r.end_ns < r.start_ns) {
    return Status::InvalidArgument("the end time (--to) is before the start time (--from)");
  }
  return r;
}

}  // namespace sawmill::sawcli
