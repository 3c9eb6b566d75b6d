#include "tools/sawcli/result_printer.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "query/logql/go_text.h"
#include "tools/sawcli/index_commands.h"

namespace sawmill::sawcli {

namespace {

using json = nlohmann::json;

enum class Kind { kInt, kBytes, kNanos, kSeconds, kBool };

struct Row {
  std::string key;   // logcli's name, e.g. "Ingester.TotalReached"
  std::string path;  // the JSON path under data.stats, e.g. "ingester.totalReached"
  Kind kind;
};

// Loki 3's stats.Result.KVList(), in its order (the "PostFilterLInes" typo is Loki's).
std::vector<Row> StatsRows() {
  std::vector<Row> rows = {
      {"Ingester.TotalReached", "ingester.totalReached", Kind::kInt},
      {"Ingester.TotalChunksMatched", "ingester.totalChunksMatched", Kind::kInt},
      {"Ingester.TotalBatches", "ingester.totalBatches", Kind::kInt},
      {"Ingester.TotalLinesSent", "ingester.totalLinesSent", Kind::kInt},
  };
  for (const char* who : {"Ingester", "Querier"}) {
    std::string p = who == std::string("Ingester") ? "ingester.store." : "querier.store.";
    std::string k = std::string(who) + ".";
    std::vector<Row> store = {
        {k + "TotalChunksRef", p + "totalChunksRef", Kind::kInt},
        {k + "TotalChunksDownloaded", p + "totalChunksDownloaded", Kind::kInt},
        {k + "ChunksDownloadTime", p + "chunksDownloadTime", Kind::kNanos},
        {k + "ChunkRefsFetchTime", p + "chunkRefsFetchTime", Kind::kNanos},
        {k + "HeadChunkBytes", p + "chunk.headChunkBytes", Kind::kBytes},
        {k + "HeadChunkLines", p + "chunk.headChunkLines", Kind::kInt},
        {k + "DecompressedBytes", p + "chunk.decompressedBytes", Kind::kBytes},
        {k + "DecompressedLines", p + "chunk.decompressedLines", Kind::kInt},
        {k + "PostFilterLInes", p + "chunk.postFilterLines", Kind::kInt},
        {k + "CompressedBytes", p + "chunk.compressedBytes", Kind::kBytes},
        {k + "TotalDuplicates", p + "chunk.totalDuplicates", Kind::kInt},
    };
    rows.insert(rows.end(), store.begin(), store.end());
  }
  rows.push_back({"Querier.QueryReferencedStructuredMetadata",
                  "querier.store.queryReferencedStructuredMetadata", Kind::kBool});
  auto cache = [&rows](const std::string& name, const std::string& json_name, bool time_first,
                       bool time_last) {
    const std::string k = "Cache." + name + ".", p = "cache." + json_name + ".";
    if (time_first) rows.push_back({k + "DownloadTime", p + "downloadTime", Kind::kNanos});
    rows.push_back({k + "Requests", p + "requests", Kind::kInt});
    rows.push_back({k + "EntriesRequested", p + "entriesRequested", Kind::kInt});
    rows.push_back({k + "EntriesFound", p + "entriesFound", Kind::kInt});
    rows.push_back({k + "EntriesStored", p + "entriesStored", Kind::kInt});
    rows.push_back({k + "BytesSent", p + "bytesSent", Kind::kBytes});
    rows.push_back({k + "BytesReceived", p + "bytesReceived", Kind::kBytes});
    if (time_last) rows.push_back({k + "DownloadTime", p + "downloadTime", Kind::kNanos});
  };
  cache("Chunk", "chunk", false, true);
  cache("Index", "index", false, true);
  cache("StatsResult", "statsResult", false, false);
  cache("VolumeResult", "volumeResult", false, false);
  cache("SeriesResult", "seriesResult", false, false);
  cache("LabelResult", "labelResult", false, false);
  cache("Result", "result", true, false);
  cache("InstantMetricResult", "instantMetricResult", false, true);
  std::vector<Row> summary = {
      {"Summary.BytesProcessedPerSecond", "summary.bytesProcessedPerSecond", Kind::kBytes},
      {"Summary.LinesProcessedPerSecond", "summary.linesProcessedPerSecond", Kind::kInt},
      {"Summary.TotalBytesProcessed", "summary.totalBytesProcessed", Kind::kBytes},
      {"Summary.TotalLinesProcessed", "summary.totalLinesProcessed", Kind::kInt},
      {"Summary.PostFilterLines", "summary.totalPostFilterLines", Kind::kInt},
      {"Summary.ExecTime", "summary.execTime", Kind::kSeconds},
      {"Summary.QueueTime", "summary.queueTime", Kind::kSeconds},
  };
  rows.insert(rows.end(), summary.begin(), summary.end());
  return rows;
}

const json* Find(const json& root, const std::string& path) {
  const json* node = &root;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    if (!node->is_object()) return nullptr;
    auto it = node->find(path.substr(start, dot - start));
    if (it == node->end()) return nullptr;
    node = &*it;
    start = dot + 1;
  }
  return node;
}

// A number field; 0 when absent, not a number, or too large for int64 (a server's answer
// never makes the casts below undefined).
double Number(const json* v, double scale = 1) {
  if (v == nullptr || !v->is_number()) return 0;
  const double x = v->get<double>() * scale;
  return x > -9e18 && x < 9e18 ? x : 0;
}

// go-humanize's Bytes: "0 B", "999 B", "1.2 kB", "57 MB".
std::string HumanizeBytes(double v) {
  std::string text = HumanBytes(v <= 0 ? 0 : static_cast<uint64_t>(v));
  size_t unit = 0;
  while (unit < text.size() && !std::isalpha(static_cast<unsigned char>(text[unit]))) ++unit;
  return text.substr(0, unit) + " " + text.substr(unit);
}

std::string Value(const json* v, Kind kind) {
  switch (kind) {
    case Kind::kInt: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(Number(v)));
      return buf;
    }
    case Kind::kBytes:
      return HumanizeBytes(Number(v));
    case Kind::kNanos:
      return query::logql::FormatGoDuration(static_cast<int64_t>(Number(v)));
    case Kind::kSeconds:
      return query::logql::FormatGoDuration(static_cast<int64_t>(Number(v, 1e9)));
    case Kind::kBool:
      return v != nullptr && v->is_boolean() && v->get<bool>() ? "true" : "false";
  }
  return "";
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string FormatStats(const json& stats, bool color) {
  // logcli prints each pair with fmt.Fprintln(w, key, "\t", value) into a Go tabwriter
  // (minwidth 0, tabwidth 8, padding 0, padchar '\t'): the cells "key " share one column
  // whose width is the widest cell rounded up to a multiple of 8, filled with tabs. A
  // coloured key's escape sequences count in its width, as they do in Go.
  std::vector<std::pair<std::string, std::string>> cells;
  size_t width = 0;
  for (const Row& row : StatsRows()) {
    std::string key = color ? "\x1b[34m" + row.key + "\x1b[0m" : row.key;
    key += ' ';
    width = std::max(width, RuneCount(key));
    cells.emplace_back(std::move(key), Value(Find(stats, row.path), row.kind));
  }
  const size_t column = (width + 7) / 8 * 8;
  std::string out;
  for (const auto& [key, value] : cells) {
    out += key;
    out.append((column - RuneCount(key) + 7) / 8, '\t');
    out += " " + value + "\n";
  }
  return out;
}

void PrintStats(const json& data, bool color) {
  auto stats = data.find("stats");
  if (stats == data.end() || !stats->is_object()) return;
  const std::string out = FormatStats(*stats, color);
  std::fwrite(out.data(), 1, out.size(), stderr);
}

void PrintResultJson(Context& ctx, const std::string& type, const json& result) {
  if (type != "matrix" && type != "vector" && type != "scalar") return;
  ctx.printer->Text(result.dump(2));
}

}  // namespace sawmill::sawcli
