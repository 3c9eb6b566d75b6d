#include "tests/integration/query_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace sawmill::integration {

std::string ModelStream::LabelString() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ", ";
    first = false;
    out += k + "=" + nlohmann::json(v).dump();
  }
  return out + "}";
}

std::string LevelOf(const std::string& line) {
  static const char* kLevels[] = {"error", "warn", "warning", "info", "notice", "debug", "fatal"};
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && !std::isalpha(static_cast<unsigned char>(line[i]))) ++i;
    size_t j = i;
    while (j < line.size() && std::isalpha(static_cast<unsigned char>(line[j]))) ++j;
    std::string word = line.substr(i, j - i);
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* l : kLevels) {
      if (word == l) return word;
    }
    i = j;
  }
  return "unknown";
}

std::vector<ModelStream> LoadLoghub(const std::string& dir, int64_t base_ns) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().string().ends_with("_2k.log")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, ModelStream> streams;
  for (size_t f = 0; f < files.size(); ++f) {
    std::string job = files[f].filename().string();
    job = job.substr(0, job.find('_'));
    for (char& c : job) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::ifstream in(files[f]);
    std::string line;
    int64_t i = 0;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      const std::string level = LevelOf(line);
      ModelStream& s = streams[job + "/" + level];
      s.labels = {{"job", job}, {"level", level}};
      s.entries.push_back({base_ns + i * 1000000 + static_cast<int64_t>(f), line});
      ++i;
    }
  }
  std::vector<ModelStream> out;
  for (auto& [k, s] : streams) out.push_back(std::move(s));
  return out;
}

bool PushModel(const HttpClient& client, const std::vector<ModelStream>& streams,
               std::string* error) {
  nlohmann::json batch = {{"streams", nlohmann::json::array()}};
  size_t bytes = 0;
  auto flush = [&]() -> bool {
    if (batch["streams"].empty()) return true;
    auto r = client.Post("/loki/api/v1/push",
                         batch.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                         "application/json");
    batch["streams"] = nlohmann::json::array();
    bytes = 0;
    if (!r.ok() || r->status != 204) {
      *error = r.ok() ? std::to_string(r->status) + " " + r->body : r.status().ToString();
      return false;
    }
    return true;
  };
  for (const ModelStream& s : streams) {
    nlohmann::json values = nlohmann::json::array();
    for (const ModelEntry& e : s.entries) {
      values.push_back({std::to_string(e.ts), e.line});
      bytes += e.line.size() + 32;
    }
    batch["streams"].push_back({{"stream", s.labels}, {"values", std::move(values)}});
    if (bytes > (1 << 20) && !flush()) return false;
  }
  return flush();
}

std::vector<ExpectedStream> Expected(const std::vector<ModelStream>& model,
                                     const StreamFilter& select, const LineFilter& keep,
                                     int64_t start, int64_t end, size_t limit, bool backward,
                                     const EntryMap& map) {
  struct Hit {
    int64_t ts;
    std::string labels;
    std::string line;
  };
  std::vector<Hit> hits;
  for (const ModelStream& s : model) {
    if (!select(s.labels)) continue;
    const std::string ls = s.LabelString();
    for (const ModelEntry& e : s.entries) {
      if (e.ts < start || e.ts >= end || !keep(e.line)) continue;
      if (!map) {
        hits.push_back({e.ts, ls, e.line});
        continue;
      }
      ModelStream mapped;
      mapped.labels = s.labels;
      std::string line = e.line;
      map(&mapped.labels, &line);
      hits.push_back({e.ts, mapped.LabelString(), std::move(line)});
    }
  }
  std::stable_sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
    if (a.ts != b.ts) return backward ? a.ts > b.ts : a.ts < b.ts;
    return a.labels < b.labels;
  });
  if (hits.size() > limit) hits.resize(limit);
  std::map<std::string, ExpectedStream> by_labels;
  for (Hit& h : hits) {
    ExpectedStream& s = by_labels[h.labels];
    s.labels = h.labels;
    s.values.push_back({h.ts, std::move(h.line)});
  }
  std::vector<ExpectedStream> out;
  for (auto& [k, s] : by_labels) out.push_back(std::move(s));
  return out;
}

std::vector<ExpectedStream> ParseStreams(const std::string& body) {
  std::vector<ExpectedStream> out;
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << body.substr(0, 500);
  if (j.is_discarded()) return out;
  EXPECT_EQ(j["status"], "success");
  EXPECT_EQ(j["data"]["resultType"], "streams");
  for (const auto& s : j["data"]["result"]) {
    ExpectedStream e;
    ModelStream m;
    for (auto it = s["stream"].begin(); it != s["stream"].end(); ++it) {
      m.labels[it.key()] = it.value().get<std::string>();
    }
    e.labels = m.LabelString();
    for (const auto& v : s["values"]) {
      e.values.push_back({std::stoll(v[0].get<std::string>()), v[1].get<std::string>()});
    }
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(),
            [](const ExpectedStream& a, const ExpectedStream& b) { return a.labels < b.labels; });
  return out;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace sawmill::integration
