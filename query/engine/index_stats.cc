#include "query/engine/index_stats.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "query/engine/constant_eval.h"
#include "query/engine/log_query.h"
#include "query/engine/response_json.h"

namespace sawmill::query::engine {
namespace {

constexpr int64_t kMs = 1'000'000;

}  // namespace

// Every stream of the range is the union of `name=~".+"` over every label name.
Result<std::vector<SelectedStream>> SelectStreamsOrAll(Querier* querier, std::string_view tenant,
                                                       std::span<const index::Matcher> matchers,
                                                       int64_t from_ns, int64_t to_ns) {
  if (!matchers.empty()) return querier->SelectStreams(tenant, matchers, from_ns, to_ns);
  SAW_ASSIGN_OR_RETURN(std::vector<std::string> names, querier->LabelNames(tenant, from_ns, to_ns));
  std::vector<std::vector<index::Matcher>> selectors;
  for (std::string& name : names) {
    SAW_ASSIGN_OR_RETURN(index::Matcher m, index::Matcher::Make(index::MatchType::kRegexMatch,
                                                                std::move(name), ".+"));
    selectors.push_back({std::move(m)});
  }
  if (selectors.empty()) return std::vector<SelectedStream>{};
  return querier->Series(tenant, selectors, from_ns, to_ns);
}

namespace {

// One interval of a volume request: [from_ns, to_ns) to read, and the time its samples carry.
struct Interval {
  int64_t from_ns, to_ns, sample_ns;
};

// Loki's util.ForInterval with endTimeInclusive: intervals aligned to the step, each but the
// last ending 1 ms before the next begins; the first starts at `start`.
std::vector<Interval> Intervals(int64_t start_ns, int64_t end_ns, int64_t step_ns) {
  std::vector<Interval> out;
  if (step_ns <= 0) {
    out.push_back({start_ns, end_ns + 1, end_ns});
    return out;
  }
  int64_t aligned = start_ns - start_ns % step_ns;
  if (start_ns % step_ns < 0) aligned -= step_ns;  // floor for times before 1970
  bool first = true;
  for (int64_t s = aligned; s < end_ns; s += step_ns) {
    int64_t e = s + step_ns;
    Interval iv;
    iv.from_ns = first ? start_ns : s;
    if (e >= end_ns) {
      iv.to_ns = end_ns + 1;
      iv.sample_ns = end_ns;
    } else {
      iv.to_ns = e;  // [s, e - 1ms] inclusive at Loki's millisecond resolution
      iv.sample_ns = e - kMs;
    }
    out.push_back(iv);
    first = false;
    if (out.size() > 11000) break;  // Loki's cap on points per series
  }
  if (out.empty()) out.push_back({start_ns, end_ns + 1, end_ns});
  return out;
}

struct Accumulated {
  index::LabelSet metric;
  uint64_t bytes = 0;
};

}  // namespace

Result<IndexStatsResult> IndexStats(Querier* querier, std::string_view tenant,
                                    std::span<const index::Matcher> matchers, int64_t from_ns,
                                    int64_t to_ns, const QueryGuard* guard) {
  IndexStatsResult out;
  SAW_ASSIGN_OR_RETURN(std::vector<SelectedStream> streams,
                       SelectStreamsOrAll(querier, tenant, matchers, from_ns, to_ns));
  for (const SelectedStream& s : streams) {
    if (guard != nullptr) SAW_RETURN_IF_ERROR(guard->Check());
    SAW_ASSIGN_OR_RETURN(StreamUsage u, querier->Usage(tenant, s.id, from_ns, to_ns));
    if (u.entries == 0) continue;
    ++out.streams;
    out.chunks += u.chunks;
    out.bytes += u.bytes;
    out.entries += u.entries;
  }
  return out;
}

std::string IndexStatsJson(const IndexStatsResult& s) {
  return "{\"streams\":" + std::to_string(s.streams) + ",\"chunks\":" + std::to_string(s.chunks) +
         ",\"bytes\":" + std::to_string(s.bytes) + ",\"entries\":" + std::to_string(s.entries) +
         "}";
}

Result<VolumeResult> Volume(Querier* querier, const VolumeParams& p) {
  // Loki's PrepareLabelsAndMatchers: the names to aggregate into, and a `name=~".+"` matcher
  // for each target label the selector does not mention.
  std::set<std::string, std::less<>> keep;
  std::vector<index::Matcher> matchers = p.matchers;
  const bool include_all = p.matchers.empty() && p.target_labels.empty();
  if (p.target_labels.empty()) {
    for (const index::Matcher& m : p.matchers) {
      if (m.name() != kTenantLabel) keep.insert(m.name());
    }
  } else {
    for (const std::string& t : p.target_labels) {
      keep.insert(t);
      const bool mentioned = std::any_of(p.matchers.begin(), p.matchers.end(),
                                         [&](const index::Matcher& m) { return m.name() == t; });
      if (!mentioned) {
        SAW_ASSIGN_OR_RETURN(index::Matcher m,
                             index::Matcher::Make(index::MatchType::kRegexMatch, t, ".+"));
        matchers.push_back(std::move(m));
      }
    }
  }
  auto kept = [&](std::string_view name) {
    return name != kTenantLabel && (include_all || keep.count(name) > 0);
  };

  const std::vector<Interval> intervals = Intervals(p.start_ns, p.end_ns, p.step_ns);
  SAW_ASSIGN_OR_RETURN(std::vector<SelectedStream> streams,
                       SelectStreamsOrAll(querier, p.tenant, matchers, intervals.front().from_ns,
                                          intervals.back().to_ns));

  std::map<std::string, VolumeSeries> by_name;
  for (const Interval& iv : intervals) {
    std::unordered_map<std::string, Accumulated> acc;
    for (const SelectedStream& s : streams) {
      if (std::chrono::steady_clock::now() > p.deadline) {
        return Status::DeadlineExceeded(kQueryTimeoutMessage);
      }
      if (p.guard != nullptr) SAW_RETURN_IF_ERROR(p.guard->Check());
      SAW_ASSIGN_OR_RETURN(StreamUsage u, querier->Usage(p.tenant, s.id, iv.from_ns, iv.to_ns));
      if (u.entries == 0) continue;
      if (!p.aggregate_by_labels) {
        std::vector<index::Label> labels;
        for (const index::Label& l : s.labels->labels()) {
          if (kept(l.name)) labels.push_back(l);
        }
        index::LabelSet metric = index::LabelSet::FromSortedUnchecked(std::move(labels));
        std::string name = metric.ToString();
        Accumulated& a = acc[name];
        if (a.bytes == 0) a.metric = std::move(metric);
        a.bytes += u.bytes;
      } else {
        for (const index::Label& l : s.labels->labels()) {
          if (l.name == kTenantLabel || (!p.target_labels.empty() && !kept(l.name))) continue;
          Accumulated& a = acc[l.name];
          if (a.bytes == 0) a.metric = index::LabelSet::FromSortedUnchecked({{l.name, ""}});
          a.bytes += u.bytes;
        }
      }
      if (acc.size() > kVolumeMaxSeries) {
        return Status::InvalidArgument("the query hit the max number of series limit (limit: " +
                                       std::to_string(kVolumeMaxSeries) + " series)");
      }
    }
    // Loki's MapToVolumeResponse: largest first, ties by name, cut at the limit.
    std::vector<std::pair<std::string, Accumulated>> sorted(acc.begin(), acc.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      if (a.second.bytes != b.second.bytes) return a.second.bytes > b.second.bytes;
      return a.first < b.first;
    });
    if (sorted.size() > p.limit) sorted.resize(p.limit);
    for (auto& [name, a] : sorted) {
      if (by_name.size() >= kVolumeMaxSeries && by_name.count(name) == 0) {
        return Status::InvalidArgument("the query hit the max number of series limit (limit: " +
                                       std::to_string(kVolumeMaxSeries) + " series)");
      }
      VolumeSeries& series = by_name[name];
      if (series.samples.empty()) {
        series.name = name;
        series.metric = std::move(a.metric);
      }
      series.samples.push_back({iv.sample_ns, a.bytes});
    }
  }

  VolumeResult result;
  for (auto& [name, series] : by_name) {
    if (series.samples.size() > 1) result.is_matrix = true;
    result.series.push_back(std::move(series));
  }
  std::sort(result.series.begin(), result.series.end(),
            [](const VolumeSeries& a, const VolumeSeries& b) {
              if (a.samples[0].second != b.samples[0].second) {
                return a.samples[0].second > b.samples[0].second;
              }
              return a.name < b.name;
            });
  return result;
}

std::string VolumeJson(const VolumeResult& result) {
  std::string out = "{\"status\":\"success\",\"data\":{\"resultType\":";
  out += result.is_matrix ? "\"matrix\",\"result\":[" : "\"vector\",\"result\":[";
  bool first = true;
  for (const VolumeSeries& s : result.series) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"metric\":";
    AppendJsonLabels(&out, s.metric.labels());
    if (result.is_matrix) {
      out += ",\"values\":[";
      for (size_t i = 0; i < s.samples.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendSamplePoint(&out, s.samples[i].first, static_cast<double>(s.samples[i].second));
      }
      out += "]}";
    } else {
      out += ",\"value\":";
      AppendSamplePoint(&out, s.samples[0].first, static_cast<double>(s.samples[0].second));
      out += "}";
    }
  }
  out += "],\"stats\":";
  AppendStatsJson(&out, QueryStats{});
  out += "}}";
  return out;
}

}  // namespace sawmill::query::engine
