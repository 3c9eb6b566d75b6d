// libFuzzer target for sawcli's parsers of user input: the --labels label set (any input parses
// or is refused; a parsed set prints to text that parses back to the same set), RFC3339 times
// (a parsed time formats back to the same instant), Go durations and push line timestamps.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tools/sawcli/label_set.h"
#include "tools/sawcli/line_timestamp.h"
#include "tools/sawcli/time_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sawmill::sawcli;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto labels = LabelSet::Parse(in);
  if (labels.ok()) {
    auto again = LabelSet::Parse(labels->String());
    if (!again.ok() || !(*again == *labels)) __builtin_trap();
  }
  auto t = ParseRfc3339(in);
  if (t.ok()) {
    auto back = ParseRfc3339(FormatRfc3339Nano(*t, TimeZone::kUtc));
    // Leap seconds (":60") normalise to the next second; everything else round-trips.
    if (!back.ok() || (*back != *t && in.find(":60") == std::string_view::npos)) __builtin_trap();
  }
  (void)ParseGoDuration(in);
  for (TimestampFormat f :
       {TimestampFormat::kRfc3339, TimestampFormat::kUnix, TimestampFormat::kUnixMs,
        TimestampFormat::kUnixUs, TimestampFormat::kUnixNs}) {
    (void)ParseLineTimestamp(in, f);
  }
  return 0;
}
