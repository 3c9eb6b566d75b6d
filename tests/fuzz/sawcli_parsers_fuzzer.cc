// libFuzzer target for sawcli's parsers of user input: the --labels label set (any input parses
// or is refused; a parsed set prints to text that parses back to the same set), RFC3339 times
// (a parsed time formats back to the same instant), Go durations and push line timestamps;
// and its decoder of log query answers (every entry it returns views its own buffer and names
// one of its streams).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tools/sawcli/label_set.h"
#include "tools/sawcli/line_timestamp.h"
#include "tools/sawcli/streams_page.h"
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
  StreamsPage page;
  std::string stats;
  auto fast = DecodeStreamsAnswer(in, &page, &stats);
  if (fast.ok() && *fast) {
    const char* lo = page.buffer.data();
    const char* hi = lo + page.buffer.size();
    for (const StreamsPage::Entry& e : page.entries) {
      if (e.stream >= page.streams.size()) __builtin_trap();
      if (e.line.data() < lo || e.line.data() + e.line.size() > hi) __builtin_trap();
    }
    if (stats.size() > in.size()) __builtin_trap();
  } else if (!page.entries.empty() || !page.streams.empty()) {
    __builtin_trap();
  }
  return 0;
}
