#include "query/engine/detected_labels.h"

#include <map>
#include <set>

#include "query/engine/index_stats.h"
#include "query/engine/response_json.h"
#include "query/log/units.h"

namespace sawmill::query::engine {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// google/uuid's Parse: the 36-character form (optionally "urn:uuid:" or braces) or 32 hex
// digits.
bool IsUuid(std::string_view s) {
  if (s.size() == 45 && s.substr(0, 9) == "urn:uuid:") s.remove_prefix(9);
  if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
  if (s.size() == 32) {
    for (char c : s) {
      if (!IsHex(c)) return false;
    }
    return true;
  }
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool AllIds(const std::set<std::string>& values) {
  for (const std::string& v : values) {
    double d;
    std::string err;
    if (!log::ParseGoFloat(v, &d, &err) && !IsUuid(v)) return false;
  }
  return true;
}

bool ShouldReject(const std::set<std::string>& values) {
  if (values.empty()) return true;
  if (values.size() > 2) return AllIds(values);
  for (const std::string& v : values) {
    if (v != "0" && v != "1") return AllIds(values);
  }
  return false;
}

}  // namespace

Result<std::vector<DetectedLabel>> DetectLabels(Querier* querier, std::string_view tenant,
                                                std::span<const index::Matcher> matchers,
                                                int64_t from_ns, int64_t to_ns) {
  // Series, not SelectStreams: the streams /series lists (a stream deletions emptied in the
  // range is not one of them), so the three endpoints agree.
  std::vector<SelectedStream> streams;
  if (matchers.empty()) {
    SAW_ASSIGN_OR_RETURN(streams, SelectStreamsOrAll(querier, tenant, matchers, from_ns, to_ns));
  } else {
    const std::vector<std::vector<index::Matcher>> selectors = {
        std::vector<index::Matcher>(matchers.begin(), matchers.end())};
    SAW_ASSIGN_OR_RETURN(streams, querier->Series(tenant, selectors, from_ns, to_ns));
  }
  std::map<std::string, std::set<std::string>> values;
  for (const SelectedStream& s : streams) {
    for (const index::Label& l : s.labels->labels()) values[l.name].insert(l.value);
  }
  static const std::set<std::string, std::less<>> kStatic = {"cluster", "namespace", "instance",
                                                             "pod"};
  std::vector<DetectedLabel> out;
  for (const auto& [name, v] : values) {
    if ((kStatic.count(name) > 0 && !v.empty()) || !ShouldReject(v)) {
      out.push_back({name, v.size()});
    }
  }
  return out;
}

std::string DetectedLabelsJson(const std::vector<DetectedLabel>& labels) {
  std::string out = "{\"detectedLabels\":[";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"label\":";
    AppendJsonString(&out, labels[i].label);
    out += ",\"cardinality\":" + std::to_string(labels[i].cardinality) + "}";
  }
  out += "]}";
  return out;
}

}  // namespace sawmill::query::engine
