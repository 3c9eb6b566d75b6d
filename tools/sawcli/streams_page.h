// StreamsPage: one answer of a log query (resultType "streams") as sawcli prints it: the
// streams' label sets and every entry (timestamp, stream, line).
//
// DecodeStreamsAnswer reads a whole query answer with the JSON pull parser (ingest/json_reader.h)
// instead of a DOM: no allocation per entry, lines are views into one buffer. A batched
// download decodes ~100 pages of 5,000 entries; with a DOM the decoding was ~85 % of sawcli's
// CPU and the client, not the server, set the pace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "storage/result.h"
#include "tools/sawcli/label_set.h"

namespace sawmill::sawcli {

struct StreamsPage {
  struct Entry {
    int64_t ts;
    uint32_t stream;        // index into `streams`
    std::string_view line;  // views `buffer` (or the DOM it was read from)
  };

  std::vector<LabelSet> streams;
  std::vector<Entry> entries;  // stream by stream, in the answer's order
  std::string buffer;          // the decoded bytes the lines view

  void Clear();
};

// Decodes `body`, Loki's `{"status": ..., "data": {"resultType": ..., "result": [...],
// "stats": {...}}}`. Returns true with *page filled and *stats_text set to the text of
// data.stats ("" when absent) when the answer is a streams result whose resultType comes before
// its result (the order Loki and Sawmill write). Returns false, with nothing decoded, for any
// other answer (a metric result, or keys in another order): the caller reads it with a DOM.
// InvalidArgument "Error decoding response: ..." for malformed JSON or a malformed streams
// result.
Result<bool> DecodeStreamsAnswer(std::string_view body, StreamsPage* page, std::string* stats_text);

// The same page from a streams result already parsed into a DOM (`result` is data.result).
// The lines view the DOM's strings: `result` must outlive *page.
Status StreamsPageFromJson(const nlohmann::json& result, StreamsPage* page);

}  // namespace sawmill::sawcli
