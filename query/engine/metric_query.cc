#include "query/engine/metric_query.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <unordered_map>

#include "query/engine/constant_eval.h"
#include "query/engine/log_query.h"
#include "query/engine/response_json.h"
#include "query/log/compile.h"

namespace sawmill::query::engine {
namespace {

constexpr char kErrorLabel[] = "__error__";

// What ExecuteMetricQuery supports: vector aggregations (outermost first) over one range
// aggregation.
struct Plan {
  std::vector<const logql::VectorAggregationExpr*> aggs;
  const logql::RangeAggregationExpr* range = nullptr;
};

Result<Plan> Analyze(const logql::Expr& expr) {
  Plan plan;
  const logql::Expr* e = &expr;
  while (e->kind == logql::ExprKind::kVectorAggregation) {
    const auto* v = static_cast<const logql::VectorAggregationExpr*>(e);
    switch (v->op) {
      case logql::VectorOp::kSum:
      case logql::VectorOp::kAvg:
      case logql::VectorOp::kCount:
      case logql::VectorOp::kMin:
      case logql::VectorOp::kMax:
        break;
      default:
        return Status::NotFound("unsupported vector aggregation");
    }
    if (v->inner == nullptr) return Status::NotFound("empty aggregation");
    plan.aggs.push_back(v);
    e = v->inner.get();
  }
  if (e->kind != logql::ExprKind::kRangeAggregation) {
    return Status::NotFound("unsupported metric expression");
  }
  plan.range = static_cast<const logql::RangeAggregationExpr*>(e);
  switch (plan.range->op) {
    case logql::RangeOp::kCountOverTime:
    case logql::RangeOp::kRate:
    case logql::RangeOp::kBytesOverTime:
    case logql::RangeOp::kBytesRate:
      break;
    default:
      return Status::NotFound("unsupported range aggregation");
  }
  if (plan.range->range.unwrap.has_value() || plan.range->range.selector == nullptr) {
    return Status::NotFound("unwrap is not supported");
  }
  return plan;
}

// Per-series difference arrays over the steps: entries and line bytes whose windows start at
// a step (+) and end before another (-).
struct Acc {
  index::LabelSet labels;
  std::vector<double> count;  // n + 1
  std::vector<double> bytes;  // n + 1
};

class SeriesSet {
 public:
  explicit SeriesSet(size_t steps) : steps_(steps) {}
  Acc* Find(const index::LabelSet& labels) {
    auto [it, inserted] = by_fp_.try_emplace(labels.Fingerprint(), accs_.size());
    if (!inserted) {
      if (accs_[it->second].labels == labels) return &accs_[it->second];
      for (Acc& a : accs_) {  // a fingerprint collision
        if (a.labels == labels) return &a;
      }
    }
    accs_.push_back({labels, std::vector<double>(steps_ + 1), std::vector<double>(steps_ + 1)});
    return &accs_.back();
  }
  std::vector<Acc>& accs() { return accs_; }
  size_t size() const { return accs_.size(); }

 private:
  size_t steps_;
  std::unordered_map<uint64_t, size_t> by_fp_;
  std::vector<Acc> accs_;
};

int64_t CeilDiv(int64_t a, int64_t b) {  // b > 0
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

// One series with a value (or none) at every step.
struct Dense {
  index::LabelSet labels;
  std::vector<double> v;
  std::vector<char> has;
};

index::LabelSet GroupLabels(const index::LabelSet& in, const std::optional<logql::Grouping>& g) {
  std::vector<index::Label> out;
  if (g.has_value()) {
    for (const index::Label& l : in.labels()) {
      const bool listed = std::find(g->labels.begin(), g->labels.end(), l.name) != g->labels.end();
      if (listed != g->without) out.push_back(l);
    }
  }
  Result<index::LabelSet> ls = index::LabelSet::FromLabels(std::move(out));
  return ls.ok() ? std::move(ls).value() : index::LabelSet();
}

std::vector<Dense> Aggregate(const logql::VectorAggregationExpr& agg, std::vector<Dense> in,
                             size_t steps) {
  std::map<std::string, Dense> groups;
  std::map<std::string, std::vector<double>> counts;
  for (const Dense& s : in) {
    index::LabelSet key = GroupLabels(s.labels, agg.grouping);
    const std::string k = key.ToString();
    auto [it, inserted] = groups.try_emplace(k);
    Dense& g = it->second;
    std::vector<double>& n = counts[k];
    if (inserted) {
      g.labels = std::move(key);
      g.v.assign(steps, 0);
      g.has.assign(steps, 0);
      n.assign(steps, 0);
    }
    for (size_t i = 0; i < steps; ++i) {
      if (!s.has[i]) continue;
      const double x = s.v[i];
      if (!g.has[i]) {
        g.v[i] = agg.op == logql::VectorOp::kCount ? 1 : x;
      } else {
        switch (agg.op) {
          case logql::VectorOp::kMin:
            g.v[i] = std::min(g.v[i], x);
            break;
          case logql::VectorOp::kMax:
            g.v[i] = std::max(g.v[i], x);
            break;
          case logql::VectorOp::kCount:
            g.v[i] += 1;
            break;
          default:  // sum, avg (divided below)
            g.v[i] += x;
        }
      }
      g.has[i] = 1;
      n[i] += 1;
    }
  }
  std::vector<Dense> out;
  for (auto& [k, g] : groups) {
    if (agg.op == logql::VectorOp::kAvg) {
      const std::vector<double>& n = counts[k];
      for (size_t i = 0; i < steps; ++i) {
        if (g.has[i]) g.v[i] /= n[i];
      }
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::string SeriesLimitMessage(size_t max_series) {
  return "maximum of series (" + std::to_string(max_series) + ") reached for a single query";
}

std::string PipelineError(const index::LabelSet& labels) {
  const std::string err(labels.Get(kErrorLabel));
  return "pipeline error: '" + err + "' for series: '" + labels.ToString() +
         "'.\nUse a label filter to intentionally skip this error. (e.g | __error__!=\"" + err +
         "\").\nTo skip all potential errors you can match empty errors.(e.g __error__=\"\")\n"
         "The label filter can also be specified after unwrap. (e.g | unwrap latency | "
         "__error__=\"\" )\n\n";
}

}  // namespace

Result<MetricQueryResult> ExecuteMetricQuery(Querier* querier, ThreadPool* pool,
                                             const logql::Expr& expr, const MetricQueryParams& p) {
  const auto started = std::chrono::steady_clock::now();
  SAW_ASSIGN_OR_RETURN(Plan plan, Analyze(expr));
  const logql::LogRange& lr = plan.range->range;
  const logql::RangeOp op = plan.range->op;
  std::unique_ptr<log::Pipeline> pipeline;
  if (lr.selector->stages.empty()) {
    pipeline = log::NoopPipeline();
  } else {
    SAW_ASSIGN_OR_RETURN(pipeline, log::CompilePipeline(lr.selector->stages));
  }
  if (p.step_ns <= 0 || p.end_ns < p.start_ns) return Status::InvalidArgument("bad step");
  const size_t steps = static_cast<size_t>((p.end_ns - p.start_ns) / p.step_ns) + 1;
  const int64_t range = lr.range_ns;
  const int64_t offset = lr.offset_ns;
  // Entries with start - range - offset < ts <= end - offset.
  const int64_t from = p.start_ns - range - offset + 1;
  const int64_t to = p.end_ns - offset + 1;

  // Loki refuses series with __error__ unless an outer aggregation without grouping drops
  // every label anyway.
  const bool drops_all =
      !plan.aggs.empty() &&
      (!plan.aggs.front()->grouping.has_value() ||
       (!plan.aggs.front()->grouping->without && plan.aggs.front()->grouping->labels.empty()));
  // A sum right above the range aggregation is linear in it: count each entry straight into
  // its group, so memory is groups x steps however many label sets the pipeline makes.
  const logql::VectorAggregationExpr* presum =
      !plan.aggs.empty() && plan.aggs.back()->op == logql::VectorOp::kSum ? plan.aggs.back()
                                                                          : nullptr;
  if (presum != nullptr) plan.aggs.pop_back();
  // Accumulators are series x steps doubles: cap them (the result itself is capped by
  // max_series, as Loki's max_query_series).
  const size_t max_accs = std::max<size_t>(1, (size_t{8} << 20) / (steps + 1));

  SAW_ASSIGN_OR_RETURN(std::vector<SelectedStream> streams,
                       querier->SelectStreams(p.tenant, lr.selector->matchers, from, to));
  MetricQueryResult result;
  std::mutex mu;
  Status error;
  std::atomic<bool> failed{false};
  SeriesSet global(steps);
  QueryStats stats;
  stats.streams = streams.size();
  auto fail = [&](Status s) {
    std::lock_guard<std::mutex> lock(mu);
    if (error.ok()) error = std::move(s);
    failed = true;
  };
  if (range > 0 && from < to) {
    pool->ParallelFor(streams.size(), [&](size_t i) {
      if (failed.load(std::memory_order_relaxed)) return;
      if (std::chrono::steady_clock::now() > p.deadline) {
        fail(Status::DeadlineExceeded(kQueryTimeoutMessage));
        return;
      }
      auto it = querier->OpenStream(p.tenant, streams[i].id, from, to, Direction::kForward);
      if (!it.ok()) {
        fail(it.status());
        return;
      }
      std::unique_ptr<log::StreamPipeline> sp = pipeline->ForStream(*streams[i].labels);
      SeriesSet local(steps);
      QueryStats st;
      log::LineResult r;
      Acc* last = nullptr;
      const index::LabelSet* last_labels = nullptr;
      index::LabelSet last_seen;
      while ((*it)->Next()) {
        const EntryView& e = (*it)->entry();
        ++st.lines_scanned;
        st.bytes_scanned += e.line.size() + e.metadata.size();
        if (st.lines_scanned % 4096 == 0 && std::chrono::steady_clock::now() > p.deadline) {
          fail(Status::DeadlineExceeded(kQueryTimeoutMessage));
          return;
        }
        if (!sp->Process(e.ts_ns, e.line, e.metadata, &r)) continue;
        ++st.post_filter_lines;
        const int64_t ts = e.ts_ns + offset;
        const int64_t first = std::max<int64_t>(0, CeilDiv(ts - p.start_ns, p.step_ns));
        const int64_t end_step = std::min<int64_t>(static_cast<int64_t>(steps),
                                                   CeilDiv(ts + range - p.start_ns, p.step_ns));
        if (first >= end_step) continue;
        if (last == nullptr || r.labels != last_labels || !(*r.labels == last_seen)) {
          if (!drops_all && !r.labels->Get(kErrorLabel).empty()) {
            fail(Status::InvalidArgument(PipelineError(*r.labels)));
            return;
          }
          last =
              local.Find(presum != nullptr ? GroupLabels(*r.labels, presum->grouping) : *r.labels);
          last_labels = r.labels;
          last_seen = *r.labels;
          if (local.size() > max_accs) {
            fail(Status::InvalidArgument(SeriesLimitMessage(p.max_series)));
            return;
          }
        }
        last->count[first] += 1;
        last->count[end_step] -= 1;
        const double bytes = static_cast<double>(r.line.size());
        last->bytes[first] += bytes;
        last->bytes[end_step] -= bytes;
      }
      if (Status s = (*it)->status(); !s.ok()) {
        fail(s);
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      stats.Add(st);
      for (Acc& a : local.accs()) {
        Acc* g = global.Find(a.labels);
        for (size_t k = 0; k <= steps; ++k) {
          g->count[k] += a.count[k];
          g->bytes[k] += a.bytes[k];
        }
      }
      if (global.size() > max_accs && error.ok()) {
        error = Status::InvalidArgument(SeriesLimitMessage(p.max_series));
        failed = true;
      }
    });
  }
  if (!error.ok()) return error;

  // The range aggregation's series, dense over the steps.
  const double range_s = static_cast<double>(range) / 1e9;
  std::vector<Dense> series;
  for (Acc& a : global.accs()) {
    Dense d{std::move(a.labels), std::vector<double>(steps), std::vector<char>(steps)};
    double count = 0, bytes = 0;
    for (size_t k = 0; k < steps; ++k) {
      count += a.count[k];
      bytes += a.bytes[k];
      if (count < 0.5) continue;
      d.has[k] = 1;
      switch (op) {
        case logql::RangeOp::kCountOverTime:
          d.v[k] = count;
          break;
        case logql::RangeOp::kRate:
          d.v[k] = count / range_s;
          break;
        case logql::RangeOp::kBytesOverTime:
          d.v[k] = bytes;
          break;
        default:
          d.v[k] = bytes / range_s;
      }
    }
    series.push_back(std::move(d));
  }
  for (auto it = plan.aggs.rbegin(); it != plan.aggs.rend(); ++it) {
    series = Aggregate(**it, std::move(series), steps);
  }
  if (p.max_series > 0 && series.size() > p.max_series) {
    return Status::InvalidArgument(SeriesLimitMessage(p.max_series));
  }
  std::sort(series.begin(), series.end(), [](const Dense& a, const Dense& b) {
    return a.labels.ToString() < b.labels.ToString();
  });
  for (Dense& d : series) {
    MetricSeries m{std::move(d.labels), {}};
    for (size_t k = 0; k < steps; ++k) {
      if (d.has[k]) m.points.push_back({p.start_ns + static_cast<int64_t>(k) * p.step_ns, d.v[k]});
    }
    if (!m.points.empty()) result.series.push_back(std::move(m));
  }
  result.stats = stats;
  result.stats.exec_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

std::string MetricResponseJson(const MetricQueryResult& result, bool instant) {
  std::string out = "{\"status\":\"success\",\"data\":{\"resultType\":";
  out += instant ? "\"vector\",\"result\":[" : "\"matrix\",\"result\":[";
  bool first = true;
  for (const MetricSeries& s : result.series) {
    if (instant && s.points.empty()) continue;
    if (!first) out.push_back(',');
    first = false;
    out += "{\"metric\":";
    AppendJsonLabels(&out, s.labels.labels());
    if (instant) {
      out += ",\"value\":";
      AppendSamplePoint(&out, s.points.back().first, s.points.back().second);
    } else {
      out += ",\"values\":[";
      for (size_t i = 0; i < s.points.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendSamplePoint(&out, s.points[i].first, s.points[i].second);
      }
      out.push_back(']');
    }
    out.push_back('}');
  }
  out += "],\"stats\":";
  AppendStatsJson(&out, result.stats);
  out += "}}";
  return out;
}

}  // namespace sawmill::query::engine
