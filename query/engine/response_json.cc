#include "query/engine/response_json.h"

#include <cstdio>

#include "storage/time_format.h"

namespace sawmill::query::engine {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n = 0;
  uint32_t cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

void AppendStoreJson(std::string* out, uint64_t lines, uint64_t bytes, uint64_t duplicates) {
  *out += "{\"totalChunksRef\":0,\"totalChunksDownloaded\":0,\"chunksDownloadTime\":0,";
  *out += "\"chunk\":{\"headChunkBytes\":0,\"headChunkLines\":0,\"decompressedBytes\":";
  *out += std::to_string(bytes);
  *out += ",\"decompressedLines\":";
  *out += std::to_string(lines);
  *out += ",\"compressedBytes\":0,\"totalDuplicates\":";
  *out += std::to_string(duplicates);
  *out += "}}";
}

void AppendDouble(std::string* out, double v) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof(buf), "%.9g", v);
  out->append(buf, static_cast<size_t>(n));
}

}  // namespace

std::string GoRfc3339Nano(int64_t ts_ns) {
  std::string t = FormatRfc3339Nano(ts_ns);  // ...T00:00:00.000000000Z
  const size_t dot = t.rfind('.');
  if (dot == std::string::npos) return t;
  size_t end = t.size() - 1;  // the 'Z'
  size_t last = end;
  while (last > dot + 1 && t[last - 1] == '0') --last;
  if (last == dot + 1) last = dot;
  t.erase(last, end - last);
  return t;
}

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    switch (c) {
      case '"':
        *out += "\\\"";
        ++i;
        continue;
      case '\\':
        *out += "\\\\";
        ++i;
        continue;
      case '\n':
        *out += "\\n";
        ++i;
        continue;
      case '\r':
        *out += "\\r";
        ++i;
        continue;
      case '\t':
        *out += "\\t";
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      *out += "\\u00";
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xF]);
      ++i;
      continue;
    }
    const size_t n = Utf8Length(s, i);
    if (n == 0) {
      *out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out->append(s.substr(i, n));
      i += n;
    }
  }
  out->push_back('"');
}

void AppendJsonLabels(std::string* out, std::span<const index::Label> labels) {
  out->push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, labels[i].name);
    out->push_back(':');
    AppendJsonString(out, labels[i].value);
  }
  out->push_back('}');
}

void AppendJsonLogValue(std::string* out, int64_t ts_ns, std::string_view line,
                        std::span<const index::Label> structured_metadata,
                        std::span<const index::Label> parsed, bool categorize_labels) {
  *out += "[\"";
  *out += std::to_string(ts_ns);
  *out += "\",";
  AppendJsonString(out, line);
  if (categorize_labels) {
    *out += ",{";
    if (!structured_metadata.empty()) {
      *out += "\"structuredMetadata\":";
      AppendJsonLabels(out, structured_metadata);
    }
    if (!parsed.empty()) {
      if (!structured_metadata.empty()) out->push_back(',');
      *out += "\"parsed\":";
      AppendJsonLabels(out, parsed);
    }
    out->push_back('}');
  }
  out->push_back(']');
}

void AppendStatsJson(std::string* out, const QueryStats& s) {
  const double secs = s.exec_seconds;
  const auto per_sec = [secs](uint64_t v) -> uint64_t {
    return secs > 0 ? static_cast<uint64_t>(static_cast<double>(v) / secs) : 0;
  };
  *out += "{\"summary\":{\"bytesProcessedPerSecond\":";
  *out += std::to_string(per_sec(s.bytes_scanned));
  *out += ",\"linesProcessedPerSecond\":";
  *out += std::to_string(per_sec(s.lines_scanned));
  *out += ",\"totalBytesProcessed\":";
  *out += std::to_string(s.bytes_scanned);
  *out += ",\"totalLinesProcessed\":";
  *out += std::to_string(s.lines_scanned);
  *out += ",\"execTime\":";
  AppendDouble(out, secs);
  *out += ",\"queueTime\":0,\"subqueries\":0,\"totalEntriesReturned\":";
  *out += std::to_string(s.entries_returned);
  *out += "},\"querier\":{\"store\":";
  AppendStoreJson(out, s.lines_scanned, s.bytes_scanned, s.duplicates);
  *out +=
      "},\"ingester\":{\"totalReached\":0,\"totalChunksMatched\":0,\"totalBatches\":0,"
      "\"totalLinesSent\":0,\"store\":";
  AppendStoreJson(out, 0, 0, 0);
  *out += "},\"cache\":{";
  const char* caches[] = {"chunk", "index", "result"};
  for (size_t i = 0; i < 3; ++i) {
    if (i > 0) out->push_back(',');
    *out += '"';
    *out += caches[i];
    *out +=
        "\":{\"entriesFound\":0,\"entriesRequested\":0,\"entriesStored\":0,"
        "\"bytesReceived\":0,\"bytesSent\":0,\"requests\":0,\"downloadTime\":0}";
  }
  *out += "}}";
}

std::string StreamsResponseJson(const LogQueryResult& result, bool categorize_labels) {
  std::string out;
  size_t estimate = 1024;
  for (const ResultStream& s : result.streams) {
    for (const ResultEntry& e : s.entries) estimate += e.line.size() + 32;
  }
  out.reserve(estimate);
  out += "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",";
  if (categorize_labels) out += "\"encodingFlags\":[\"categorize-labels\"],";
  out += "\"result\":[";
  for (size_t i = 0; i < result.streams.size(); ++i) {
    const ResultStream& s = result.streams[i];
    if (i > 0) out.push_back(',');
    out += "{\"stream\":";
    AppendJsonLabels(&out, s.labels.labels());
    out += ",\"values\":[";
    for (size_t j = 0; j < s.entries.size(); ++j) {
      const ResultEntry& e = s.entries[j];
      if (j > 0) out.push_back(',');
      AppendJsonLogValue(&out, e.ts_ns, e.line, e.structured_metadata, e.parsed, categorize_labels);
    }
    out += "]}";
  }
  out += "],\"stats\":";
  AppendStatsJson(&out, result.stats);
  out += "}}";
  return out;
}

std::string StringListResponseJson(std::span<const std::string> values) {
  std::string out = "{\"status\":\"success\",\"data\":[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(&out, values[i]);
  }
  out += "]}";
  return out;
}

std::string SeriesResponseJson(std::span<const SelectedStream> series) {
  std::string out = "{\"status\":\"success\",\"data\":[";
  for (size_t i = 0; i < series.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonLabels(&out, series[i].labels->labels());
  }
  out += "]}";
  return out;
}

std::string LegacyStreamsResponseJson(const LogQueryResult& result) {
  std::string out = "{\"streams\":[";
  for (size_t i = 0; i < result.streams.size(); ++i) {
    const ResultStream& s = result.streams[i];
    if (i > 0) out.push_back(',');
    out += "{\"labels\":";
    AppendJsonString(&out, s.labels.ToString());
    out += ",\"entries\":[";
    for (size_t j = 0; j < s.entries.size(); ++j) {
      if (j > 0) out.push_back(',');
      out += "{\"ts\":";
      AppendJsonString(&out, GoRfc3339Nano(s.entries[j].ts_ns));
      out += ",\"line\":";
      AppendJsonString(&out, s.entries[j].line);
      out.push_back('}');
    }
    out += "]}";
  }
  out += "],\"stats\":";
  AppendStatsJson(&out, result.stats);
  out += "}";
  return out;
}

std::string LegacyValuesResponseJson(std::span<const std::string> values) {
  std::string out = "{\"values\":[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(&out, values[i]);
  }
  out += "]}";
  return out;
}

}  // namespace sawmill::query::engine
