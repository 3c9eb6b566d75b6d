#include "ingest/level_detection.h"

#include <string>

#include "ingest/json_reader.h"
#include "query/log/logfmt_decoder.h"

namespace sawmill::ingest {
namespace {

constexpr std::string_view kLevelFields[] = {
    "level",    "LEVEL",         "Level",         "log.level",     "severity",
    "SEVERITY", "Severity",      "SeverityText",  "lvl",           "LVL",
    "Lvl",      "severity_text", "Severity_Text", "SEVERITY_TEXT",
};

// Loki's log_level_fields_from_json_max_depth default: the top object and one level below.
constexpr int kJsonMaxDepth = 2;

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool IsLevelField(std::string_view key) {
  for (std::string_view f : kLevelFields) {
    if (key == f) return true;
  }
  return false;
}

// The known level `v` names, or empty.
std::string_view KnownLevel(std::string_view v) {
  if (EqualFold(v, "trace") || EqualFold(v, "trc")) return "trace";
  if (EqualFold(v, "debug") || EqualFold(v, "dbg")) return "debug";
  if (EqualFold(v, "info") || EqualFold(v, "inf") || EqualFold(v, "information")) return "info";
  if (EqualFold(v, "warn") || EqualFold(v, "wrn") || EqualFold(v, "warning")) return "warn";
  if (EqualFold(v, "error") || EqualFold(v, "err")) return "error";
  if (EqualFold(v, "critical")) return "critical";
  if (EqualFold(v, "fatal")) return "fatal";
  return {};
}

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// Loki's detectLevelFromLogLine: keywords, checked in this order.
std::string_view LevelFromKeywords(std::string_view l) {
  if (Contains(l, "info") || Contains(l, "INFO")) return "info";  // also info: [info] ...
  if (Contains(l, "err:") || Contains(l, "ERR:") || Contains(l, "[err]") || Contains(l, "[ERR]") ||
      Contains(l, "[error]") || Contains(l, "[ERROR]")) {
    return "error";
  }
  if (Contains(l, "warn:") || Contains(l, "WARN:") || Contains(l, "[warn]") ||
      Contains(l, "[WARN]") || Contains(l, "warning") || Contains(l, "WARNING")) {
    return "warn";
  }
  if (Contains(l, "critical:") || Contains(l, "CRITICAL:") || Contains(l, "[critical]") ||
      Contains(l, "[CRITICAL]")) {
    return "critical";
  }
  if (Contains(l, "debug") || Contains(l, "DEBUG")) return "debug";
  return "unknown";
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool LooksLikeJson(std::string_view l) {
  size_t b = 0, e = l.size();
  while (b < e && IsSpace(l[b])) ++b;
  while (e > b && IsSpace(l[e - 1])) --e;
  return e - b >= 2 && l[b] == '{' && l[e - 1] == '}';
}

// The first string value under a level field in a JSON object, searched kJsonMaxDepth deep.
// Mapped to a known level before the copy it points into goes away; empty when none.
std::string_view LevelFromJson(std::string_view line) {
  std::string buf(line);
  JsonReader r(buf.data(), buf.data() + buf.size());
  std::string_view found;
  const Status kFound = Status::NotFound("found");
  auto walk = [&](auto& self, int depth) -> Status {
    return r.ForEachMember([&](std::string_view key) -> Status {
      r.SkipWs();
      if (r.At('"')) {
        std::string_view v;
        SAW_RETURN_IF_ERROR(r.ReadString(&v));
        if (IsLevelField(key)) {
          found = v;
          return kFound;
        }
        return Status::OK();
      }
      if (r.At('{') && depth + 1 < kJsonMaxDepth) return self(self, depth + 1);
      return r.SkipValue(1);
    });
  };
  if (!r.At('{')) return {};
  (void)walk(walk, 0);
  return KnownLevel(found);
}

// The value of the first level field (in kLevelFields' order, names compared ignoring case)
// of a logfmt line, mapped to a known level; empty when none.
std::string_view LevelFromLogfmt(std::string_view line) {
  query::log::LogfmtDecoder d(line);
  size_t best = std::size(kLevelFields);
  std::string value;
  while (!d.Eol() && d.ScanKeyval()) {
    for (size_t i = 0; i < best; ++i) {
      if (EqualFold(d.key(), kLevelFields[i])) {
        best = i;
        value.assign(d.value());
        break;
      }
    }
    if (best == 0) break;
  }
  return KnownLevel(value);
}

std::string_view LevelFromLine(std::string_view line) {
  std::string_view level;
  if (LooksLikeJson(line)) {
    level = LevelFromJson(line);
  } else if (!line.empty() && Contains(line, "=")) {
    level = LevelFromLogfmt(line);
  }
  return level.empty() ? LevelFromKeywords(line) : level;
}

std::string_view LevelFromSeverityNumber(std::string_view text) {
  int n = 0;
  if (text.empty() || text.size() > 9) return "info";
  for (char c : text) {
    if (c < '0' || c > '9') return "info";  // Loki: not a number -> info
    n = n * 10 + (c - '0');
  }
  if (n == 0) return "unknown";
  if (n <= 4) return "trace";
  if (n <= 8) return "debug";
  if (n <= 12) return "info";
  if (n <= 16) return "warn";
  if (n <= 20) return "error";
  if (n <= 24) return "fatal";
  return "unknown";
}

const std::string_view* Find(const std::vector<std::pair<std::string_view, std::string_view>>& kv,
                             std::string_view name) {
  for (const auto& [k, v] : kv) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace

std::string_view NormalizeLogLevel(std::string_view level) {
  std::string_view known = KnownLevel(level);
  return known.empty() ? level : known;
}

std::string_view DetectLevel(
    const std::vector<std::pair<std::string_view, std::string_view>>& stream_labels,
    const std::vector<std::pair<std::string_view, std::string_view>>& metadata,
    std::string_view line) {
  if (Find(metadata, kDetectedLevel) != nullptr) return {};
  for (std::string_view f : kLevelFields) {
    if (const std::string_view* v = Find(stream_labels, f)) return NormalizeLogLevel(*v);
  }
  for (std::string_view f : kLevelFields) {
    if (const std::string_view* v = Find(metadata, f)) return NormalizeLogLevel(*v);
  }
  if (const std::string_view* v = Find(metadata, "severity_number")) {
    return LevelFromSeverityNumber(*v);
  }
  return LevelFromLine(line);
}

}  // namespace sawmill::ingest
