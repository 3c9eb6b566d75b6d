#include "server/tail/tail_json.h"

#include "query/engine/response_json.h"

namespace sawmill::server {

using query::engine::AppendJsonLabels;
using query::engine::AppendJsonLogValue;
using query::engine::AppendJsonString;
using query::engine::GoRfc3339Nano;

std::string TailMessageJson(std::span<const TailEntry> entries,
                            std::span<const DroppedEntry> dropped, bool categorize_labels) {
  std::string out = "{\"streams\":[";
  for (size_t i = 0; i < entries.size(); ++i) {
    const TailEntry& e = entries[i];
    if (i > 0) out.push_back(',');
    out += "{\"stream\":";
    AppendJsonLabels(&out, e.labels->labels());
    out += ",\"values\":[";
    AppendJsonLogValue(&out, e.ts_ns, e.line, e.structured_metadata, e.parsed, categorize_labels);
    out += "]}";
  }
  out.push_back(']');
  if (!dropped.empty()) {
    out += ",\"dropped_entries\":[";
    for (size_t i = 0; i < dropped.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += "{\"timestamp\":\"";
      out += std::to_string(dropped[i].ts_ns);
      out += "\"";
      if (!dropped[i].labels->empty()) {
        out += ",\"labels\":";
        AppendJsonLabels(&out, dropped[i].labels->labels());
      }
      out.push_back('}');
    }
    out.push_back(']');
  }
  if (categorize_labels) out += ",\"encodingFlags\":[\"categorize-labels\"]";
  out.push_back('}');
  return out;
}

std::string LegacyTailMessageJson(std::span<const TailEntry> entries,
                                  std::span<const DroppedEntry> dropped) {
  std::string out = "{\"streams\":";
  if (entries.empty()) {
    out += "null";
  } else {
    out.push_back('[');
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += "{\"labels\":";
      AppendJsonString(&out, entries[i].labels->ToString());
      out += ",\"entries\":[{\"ts\":";
      AppendJsonString(&out, GoRfc3339Nano(entries[i].ts_ns));
      out += ",\"line\":";
      AppendJsonString(&out, entries[i].line);
      out += "}]}";
    }
    out.push_back(']');
  }
  out += ",\"dropped_entries\":";
  if (dropped.empty()) {
    out += "null";
  } else {
    out.push_back('[');
    for (size_t i = 0; i < dropped.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += "{\"Timestamp\":";
      AppendJsonString(&out, GoRfc3339Nano(dropped[i].ts_ns));
      out += ",\"Labels\":";
      AppendJsonString(&out, dropped[i].labels->ToString());
      out.push_back('}');
    }
    out.push_back(']');
  }
  out.push_back('}');
  return out;
}

}  // namespace sawmill::server
