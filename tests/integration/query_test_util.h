// Shared by the query end-to-end tests: the loghub files as a model of what the server holds
// (one stream per system and level), pushing that model over HTTP, and the expected answer of
// a log query computed from the model alone.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tests/integration/http_client.h"

namespace sawmill::integration {

struct ModelEntry {
  int64_t ts;
  std::string line;
};

// A stream: its labels (sorted by name) and entries in time order.
struct ModelStream {
  std::map<std::string, std::string> labels;
  std::vector<ModelEntry> entries;
  std::string LabelString() const;  // {a="x", b="y"}, as Loki prints it
};

// The level of a loghub line: its first word that is a level name (error, warn, warning,
// info, notice, debug, fatal; any case, between non-letters), lowercased; "unknown" without.
std::string LevelOf(const std::string& line);

// Every *_2k.log of `dir`: job = the system in lower case, level = LevelOf(line). Line i of a
// system gets base_ns + i * 1 ms + the system's index, so timestamps never tie.
std::vector<ModelStream> LoadLoghub(const std::string& dir, int64_t base_ns);

// Pushes the streams as Loki JSON, in batches of at most ~1 MB. Returns false on a non-204.
bool PushModel(const HttpClient& client, const std::vector<ModelStream>& streams,
               std::string* error);

using StreamFilter = std::function<bool(const std::map<std::string, std::string>&)>;
using LineFilter = std::function<bool(const std::string&)>;
// What the pipeline's formatting stages do to an entry: rewrite its labels and/or its line.
using EntryMap = std::function<void(std::map<std::string, std::string>*, std::string*)>;

struct ExpectedStream {
  std::string labels;
  std::vector<std::pair<int64_t, std::string>> values;
};

// The answer Loki gives to a log query over the model: the entries of the selected streams
// with start <= ts < end that pass `keep`, the first `limit` in direction order (ties by label
// string), grouped by stream, streams sorted by label string. `map`, when set, rewrites each
// kept entry's labels and line before ordering (line_format, label_format, drop).
std::vector<ExpectedStream> Expected(const std::vector<ModelStream>& model,
                                     const StreamFilter& select, const LineFilter& keep,
                                     int64_t start, int64_t end, size_t limit, bool backward,
                                     const EntryMap& map = nullptr);

// Parses a query_range answer into the same shape (streams sorted by label string). Fails the
// current test on a malformed answer.
std::vector<ExpectedStream> ParseStreams(const std::string& body);

// Percent-encodes a query parameter value.
std::string UrlEncode(std::string_view s);

}  // namespace sawmill::integration
