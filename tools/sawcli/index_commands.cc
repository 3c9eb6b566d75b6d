#include "tools/sawcli/index_commands.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "tools/sawcli/label_set.h"
#include "tools/sawcli/result_printer.h"
#include "tools/sawcli/time_text.h"

namespace sawmill::sawcli {

namespace {

using json = nlohmann::json;

Result<json> GetJson(Context& ctx, const std::string& path, const QueryString& params) {
  const std::string target = path + "?" + params.Encode();
  if (!ctx.quiet) LogNote(ctx.client->base_url() + target);
  SAW_ASSIGN_OR_RETURN(std::string body, ctx.client->Call("GET", target));
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument("Error decoding response: not a JSON object");
  }
  return doc;
}

LabelSet ToLabelSet(const json& object) {
  std::vector<LabelSet::Pair> pairs;
  if (object.is_object()) {
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (it.value().is_string()) pairs.emplace_back(it.key(), it.value().get<std::string>());
    }
  }
  return LabelSet(std::move(pairs));
}

}  // namespace

std::string HumanBytes(uint64_t n) {
  static constexpr const char* kSizes[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  char buf[64];
  if (n < 10) {
    std::snprintf(buf, sizeof(buf), "%lluB", static_cast<unsigned long long>(n));
    return buf;
  }
  const double e = std::floor(std::log(static_cast<double>(n)) / std::log(1000.0));
  const int exp = std::min(static_cast<int>(e), 6);
  const double val = std::floor(static_cast<double>(n) / std::pow(1000.0, exp) * 10 + 0.5) / 10;
  std::snprintf(buf, sizeof(buf), val < 10 ? "%.1f%s" : "%.0f%s", val, kSizes[exp]);
  return buf;
}

Status RunLabels(Context& ctx, const std::string& name, const std::string& query,
                 const TimeRange& range) {
  QueryString params;
  params.Add("start", range.start_ns).Add("end", range.end_ns);
  if (!query.empty()) params.Add("query", query);
  const std::string path =
      name.empty() ? "/loki/api/v1/labels" : "/loki/api/v1/label/" + PathEscape(name) + "/values";
  SAW_ASSIGN_OR_RETURN(json doc, GetJson(ctx, path, params));
  auto data = doc.find("data");
  if (data != doc.end() && data->is_array()) {
    for (const json& v : *data) {
      if (v.is_string()) ctx.printer->Text(v.get<std::string>() + "\n");
    }
  }
  return ctx.printer->Flush();
}

Status RunSeries(Context& ctx, const std::string& matcher, const TimeRange& range, bool analyze) {
  QueryString params;
  params.Add("match[]", matcher).Add("start", range.start_ns).Add("end", range.end_ns);
  SAW_ASSIGN_OR_RETURN(json doc, GetJson(ctx, "/loki/api/v1/series", params));
  std::vector<LabelSet> series;
  auto data = doc.find("data");
  if (data != doc.end() && data->is_array()) {
    for (const json& s : *data) series.push_back(ToLabelSet(s));
  }
  if (!analyze) {
    for (const LabelSet& s : series) ctx.printer->Text(s.String() + "\n");
    return ctx.printer->Flush();
  }
  struct Details {
    std::string name;
    int64_t in_streams = 0;
    std::set<std::string> values;
  };
  std::map<std::string, Details> by_name;
  for (const LabelSet& s : series) {
    for (const auto& [name, value] : s.pairs()) {
      Details& d = by_name[name];
      d.name = name;
      ++d.in_streams;
      d.values.insert(value);
    }
  }
  std::vector<Details> rows;
  for (auto& [name, d] : by_name) rows.push_back(std::move(d));
  std::stable_sort(rows.begin(), rows.end(), [](const Details& a, const Details& b) {
    return a.values.size() > b.values.size();
  });
  std::string out = "Total Streams:  " + std::to_string(series.size()) + "\n";
  out += "Unique Labels:  " + std::to_string(by_name.size()) + "\n\n";
  // A tabwriter with padding 2: each column as wide as its widest cell plus two spaces.
  std::vector<std::vector<std::string>> cells = {
      {"Label Name", "Unique Values", "Found In Streams"}};
  for (const Details& d : rows) {
    cells.push_back({d.name, std::to_string(d.values.size()), std::to_string(d.in_streams)});
  }
  size_t w0 = 0, w1 = 0;
  for (const auto& row : cells) {
    w0 = std::max(w0, row[0].size());
    w1 = std::max(w1, row[1].size());
  }
  for (const auto& row : cells) {
    out += row[0] + std::string(w0 - row[0].size() + 2, ' ') + row[1] +
           std::string(w1 - row[1].size() + 2, ' ') + row[2] + "\n";
  }
  ctx.printer->Text(out);
  return ctx.printer->Flush();
}

Status RunStats(Context& ctx, const std::string& query, const TimeRange& range) {
  QueryString params;
  params.Add("query", query).Add("start", range.start_ns).Add("end", range.end_ns);
  SAW_ASSIGN_OR_RETURN(json doc, GetJson(ctx, "/loki/api/v1/index/stats", params));
  auto number = [&doc](const char* key) -> uint64_t {
    auto it = doc.find(key);
    return it != doc.end() && it->is_number() ? it->get<uint64_t>() : 0;
  };
  const bool color = ctx.printer->options().color;
  auto key = [color](const char* k) {
    return color ? std::string("\x1b[34m") + k + "\x1b[0m" : std::string(k);
  };
  std::string out = "{\n";
  out += "  " + key("bytes") + ": " + HumanBytes(number("bytes")) + "\n";
  out += "  " + key("chunks") + ": " + std::to_string(number("chunks")) + "\n";
  out += "  " + key("streams") + ": " + std::to_string(number("streams")) + "\n";
  out += "  " + key("entries") + ": " + std::to_string(number("entries")) + "\n";
  out += "}\n";
  ctx.printer->Text(out);
  return ctx.printer->Flush();
}

Status RunVolume(Context& ctx, const VolumeOptions& o, bool range_query) {
  QueryString params;
  params.Add("query", o.query).Add("start", o.range.start_ns).Add("end", o.range.end_ns);
  params.Add("limit", o.limit);
  if (range_query && o.step_ns != 0) params.Add("step", FormatSeconds(o.step_ns));
  if (!o.target_labels.empty()) {
    std::string joined;
    for (const std::string& t : o.target_labels) joined += (joined.empty() ? "" : ",") + t;
    params.Add("targetLabels", joined);
  }
  if (o.aggregate_by_labels) params.Add("aggregateBy", "labels");
  SAW_ASSIGN_OR_RETURN(
      json doc,
      GetJson(ctx, range_query ? "/loki/api/v1/index/volume_range" : "/loki/api/v1/index/volume",
              params));
  auto data = doc.find("data");
  if (data == doc.end() || !data->is_object()) {
    return Status::InvalidArgument("Error decoding response: no \"data\" object");
  }
  if (ctx.stats) PrintStats(*data, ctx.printer->options().color);
  PrintResultJson(ctx, data->value("resultType", ""),
                  data->contains("result") ? (*data)["result"] : json::array());
  return ctx.printer->Flush();
}

}  // namespace sawmill::sawcli
