#include "query/engine/metric_query.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <unordered_map>

#include "query/engine/constant_eval.h"
#include "query/engine/log_query.h"
#include "query/engine/metric_ops.h"
#include "query/engine/metric_unwrap.h"
#include "query/engine/response_json.h"
#include "query/log/compile.h"

namespace sawmill::query::engine {
namespace {

constexpr char kErrorLabel[] = "__error__";

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

std::string SeriesLimitMessage(size_t max_series) {
  return "maximum of series (" + std::to_string(max_series) + ") reached for a single query";
}

std::string PipelineError(const index::LabelSet& labels) { return PipelineErrorMessage(labels); }

}  // namespace

namespace {

struct Ctx {
  Querier* querier;
  ThreadPool* pool;
  const MetricQueryParams& p;
  QueryGuard* guard;  // non-null
  size_t steps;
  QueryStats stats;
};

bool Supported(logql::RangeOp op) {
  switch (op) {
    case logql::RangeOp::kCountOverTime:
    case logql::RangeOp::kRate:
    case logql::RangeOp::kBytesOverTime:
    case logql::RangeOp::kBytesRate:
    case logql::RangeOp::kAbsentOverTime:
      return true;
    default:
      return false;
  }
}

// One range aggregation over the store. With `presum`, the sum by/without that encloses it is
// applied entry by entry. `allow_errors`: an enclosing aggregation drops every label, so
// entries with __error__ are counted rather than refused.
Result<std::vector<Dense>> EvalRange(Ctx& ctx, const logql::RangeAggregationExpr& agg,
                                     const std::optional<logql::Grouping>* presum_grouping,
                                     bool allow_errors) {
  const logql::LogRange& lr = agg.range;
  const logql::RangeOp op = agg.op;
  if (!Supported(op) || lr.unwrap.has_value() || lr.selector == nullptr ||
      agg.grouping.has_value()) {
    return Status::NotFound("unsupported range aggregation");
  }
  const MetricQueryParams& p = ctx.p;
  const size_t steps = ctx.steps;
  std::unique_ptr<log::Pipeline> pipeline;
  if (lr.selector->stages.empty()) {
    pipeline = log::NoopPipeline();
  } else {
    SAW_ASSIGN_OR_RETURN(pipeline, log::CompilePipeline(lr.selector->stages));
  }
  const int64_t range = lr.range_ns;
  const int64_t offset = lr.offset_ns;
  // Entries with start - range - offset < ts <= end - offset.
  const int64_t from = p.start_ns - range - offset + 1;
  const int64_t to = p.end_ns - offset + 1;
  const bool drops_all = allow_errors;
  const bool samples_only = lr.selector->stages.empty();
  // Accumulators are series x steps doubles: cap them (the result itself is capped by
  // max_series, as Loki's max_query_series).
  const size_t max_accs = std::max<size_t>(1, (size_t{8} << 20) / (steps + 1));
  // What one series' accumulator holds (two arrays of steps + 1 doubles), charged to the guard
  // when a scan or the shared set adds one.
  const uint64_t acc_bytes = 2 * (steps + 1) * sizeof(double) + 64;
  size_t global_charged = 0;  // series of `global` charged, guarded by mu

  SAW_ASSIGN_OR_RETURN(std::vector<SelectedStream> streams,
                       ctx.querier->SelectStreams(p.tenant, lr.selector->matchers, from, to));
  std::mutex mu;
  Status error;
  std::atomic<bool> failed{false};
  SeriesSet global(steps);
  ctx.stats.streams += streams.size();
  auto fail = [&](Status s) {
    std::lock_guard<std::mutex> lock(mu);
    if (error.ok()) error = std::move(s);
    failed = true;
  };
  // REQUIRES: mu held. Charges the series `global` gained and applies the series cap.
  auto ChargeGlobal = [&] {
    if (global.size() > global_charged) {
      Status s = ctx.guard->Charge((global.size() - global_charged) * acc_bytes);
      global_charged = global.size();
      if (!s.ok() && error.ok()) {
        error = std::move(s);
        failed = true;
      }
    }
    if (global.size() > max_accs && error.ok()) {
      error = Status::InvalidArgument(SeriesLimitMessage(p.max_series));
      failed = true;
    }
  };
  if (range > 0 && from < to) {
    ctx.pool->ParallelFor(streams.size(), [&](size_t i) {
      if (failed.load(std::memory_order_relaxed)) return;
      if (Status s = ctx.guard->Check(); !s.ok()) {
        fail(std::move(s));
        return;
      }
      std::unique_ptr<log::StreamPipeline> sp = pipeline->ForStream(*streams[i].labels);
      SeriesSet local(steps);
      size_t charged_series = 0;  // series of `local` charged to the guard
      QueryStats st;
      log::LineResult r;
      Acc* last = nullptr;
      const index::LabelSet* last_labels = nullptr;
      index::LabelSet last_seen;
      // Counts one entry the pipeline kept, with its labels and the size of its line, in its
      // series' windows. False when the query fails.
      auto add = [&](int64_t ts_ns, const index::LabelSet* labels, size_t size) -> bool {
        ++st.post_filter_lines;
        const int64_t ts = ts_ns + offset;
        const int64_t first = std::max<int64_t>(0, CeilDiv(ts - p.start_ns, p.step_ns));
        const int64_t end_step = std::min<int64_t>(static_cast<int64_t>(steps),
                                                   CeilDiv(ts + range - p.start_ns, p.step_ns));
        if (first >= end_step) return true;
        if (last == nullptr || labels != last_labels || !(*labels == last_seen)) {
          if (!drops_all && !labels->Get(kErrorLabel).empty()) {
            fail(Status::InvalidArgument(PipelineError(*labels)));
            return false;
          }
          last = local.Find(presum_grouping != nullptr ? GroupLabels(*labels, *presum_grouping)
                                                       : *labels);
          last_labels = labels;
          last_seen = *labels;
          if (local.size() > charged_series) {
            charged_series = local.size();
            if (Status s = ctx.guard->Charge(acc_bytes); !s.ok()) {
              fail(std::move(s));
              return false;
            }
          }
          if (local.size() > max_accs) {
            fail(Status::InvalidArgument(SeriesLimitMessage(p.max_series)));
            return false;
          }
        }
        last->count[first] += 1;
        last->count[end_step] -= 1;
        const double bytes = static_cast<double>(size);
        last->bytes[first] += bytes;
        last->bytes[end_step] -= bytes;
        return true;
      };
      // The stream's own series when no entry brings other labels (selector only).
      std::vector<double> count, bytes;
      bool any = false;
      if (samples_only) {
        // No pipeline: an entry without structured metadata is in the stream's series, and
        // its timestamp and line size are all the window needs (no chunk text is
        // decompressed). Structured metadata joins the labels, as in Loki 3 (its sample
        // extractor adds it before the no-stage shortcut), so such an entry goes through
        // the (no-stage) pipeline for its labels; only the blocks holding one are read.
        auto it = ctx.querier->OpenBatches(p.tenant, streams[i].id, from, to, false);
        if (!it.ok()) {
          fail(it.status());
          return;
        }
        count.resize(steps + 1);
        bytes.resize(steps + 1);
        // Entries come in time order, so the first step whose window holds an entry
        // (ceil((ts - start) / step), at least 0) and the first whose window no longer does
        // (ceil((ts + range - start) / step), at most steps) only move forward: two cursors
        // instead of two divisions per entry.
        const int64_t n_steps = static_cast<int64_t>(steps);
        int64_t first = 0, end_step = 0;
        int64_t first_t = p.start_ns, end_t = p.start_ns;  // start + k * step of each cursor
        ScanCheckpoint checkpoint(&failed, ctx.guard, 65536);
        while ((*it)->Next()) {
          const std::string_view text = (*it)->text();
          const std::span<const BatchEntry> entries = (*it)->entries();
          st.lines_scanned += entries.size();
          if (Status stop; !checkpoint.Continue(st.lines_scanned, &stop)) {
            if (!stop.ok()) fail(std::move(stop));
            return;
          }
          for (const BatchEntry& e : entries) {
            st.bytes_scanned += e.line_len;
            const int64_t ts = e.ts_ns + offset;
            while (first < n_steps && first_t < ts) {
              ++first;
              first_t += p.step_ns;
            }
            while (end_step < n_steps && end_t < ts + range) {
              ++end_step;
              end_t += p.step_ns;
            }
            if (first >= end_step) continue;
            if (e.meta_len > 0) {
              if (!sp->Process(e.ts_ns, text.substr(e.offset, e.line_len),
                               text.substr(size_t{e.offset} + e.line_len, e.meta_len), &r)) {
                continue;
              }
              if (!add(e.ts_ns, r.labels, r.line.size())) return;
              continue;
            }
            any = true;
            count[first] += 1;
            count[end_step] -= 1;
            bytes[first] += e.line_len;
            bytes[end_step] -= e.line_len;
          }
        }
        if (Status s = (*it)->status(); !s.ok()) {
          fail(s);
          return;
        }
        st.post_filter_lines = st.lines_scanned;
      } else if (pipeline->IsLineFilterOnly()) {
        // Line filters only: each batch (a decompressed chunk block) is filtered at once, and
        // a kept entry without structured metadata has its stream's labels; no entry is
        // materialised and no label set is built per line.
        auto it = ctx.querier->OpenBatches(p.tenant, streams[i].id, from, to, true);
        if (!it.ok()) {
          fail(it.status());
          return;
        }
        std::vector<uint8_t> keep;
        ScanCheckpoint checkpoint(&failed, ctx.guard, 4096);
        const index::LabelSet* stream_labels = streams[i].labels.get();
        while ((*it)->Next()) {
          const std::string_view text = (*it)->text();
          const std::span<const BatchEntry> entries = (*it)->entries();
          st.lines_scanned += entries.size();
          for (const BatchEntry& e : entries) st.bytes_scanned += e.line_len + e.meta_len;
          if (Status stop; !checkpoint.Continue(st.lines_scanned, &stop)) {
            if (!stop.ok()) fail(std::move(stop));
            return;
          }
          keep.resize(entries.size());
          pipeline->FilterLines(text, entries, keep.data());
          for (size_t k = 0; k < entries.size(); ++k) {
            if (!keep[k]) continue;
            const BatchEntry& e = entries[k];
            if (e.meta_len == 0) {
              if (!add(e.ts_ns, stream_labels, e.line_len)) return;
              continue;
            }
            // Structured metadata joins the labels: the pipeline says which.
            if (!sp->Process(e.ts_ns, text.substr(e.offset, e.line_len),
                             text.substr(size_t{e.offset} + e.line_len, e.meta_len), &r)) {
              continue;
            }
            if (!add(e.ts_ns, r.labels, r.line.size())) return;
          }
        }
        if (Status s = (*it)->status(); !s.ok()) {
          fail(s);
          return;
        }
      } else {
        auto it = ctx.querier->OpenStream(p.tenant, streams[i].id, from, to, Direction::kForward);
        if (!it.ok()) {
          fail(it.status());
          return;
        }
        while ((*it)->Next()) {
          const EntryView& e = (*it)->entry();
          ++st.lines_scanned;
          st.bytes_scanned += e.line.size() + e.metadata.size();
          if (st.lines_scanned % 4096 == 0) {
            if (failed.load(std::memory_order_relaxed)) return;
            if (Status s = ctx.guard->Check(); !s.ok()) {
              fail(std::move(s));
              return;
            }
          }
          if (!sp->Process(e.ts_ns, e.line, e.metadata, &r)) continue;
          if (!add(e.ts_ns, r.labels, r.line.size())) return;
        }
        if (Status s = (*it)->status(); !s.ok()) {
          fail(s);
          return;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      ctx.stats.Add(st);
      if (any) {
        Acc* g = global.Find(presum_grouping != nullptr
                                 ? GroupLabels(*streams[i].labels, *presum_grouping)
                                 : *streams[i].labels);
        for (size_t k = 0; k <= steps; ++k) {
          g->count[k] += count[k];
          g->bytes[k] += bytes[k];
        }
      }
      for (Acc& a : local.accs()) {
        Acc* g = global.Find(a.labels);
        for (size_t k = 0; k <= steps; ++k) {
          g->count[k] += a.count[k];
          g->bytes[k] += a.bytes[k];
        }
      }
      ChargeGlobal();
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
  return series;
}

// absent_over_time: 1 at the steps whose window holds no entry, labelled with the selector's
// equality matchers (Prometheus' absent()).
Result<MetricValue> EvalAbsent(Ctx& ctx, const logql::RangeAggregationExpr& ra) {
  static const std::optional<logql::Grouping> kAll = logql::Grouping{};
  SAW_ASSIGN_OR_RETURN(std::vector<Dense> total, EvalRange(ctx, ra, &kAll, true));
  MetricValue out;
  std::vector<index::Label> labels;
  for (const index::Matcher& m : ra.range.selector->matchers) {
    if (m.type() == index::MatchType::kEqual &&
        std::none_of(labels.begin(), labels.end(),
                     [&](const index::Label& l) { return l.name == m.name(); })) {
      labels.push_back({m.name(), m.value()});
    }
  }
  Result<index::LabelSet> ls = index::LabelSet::FromLabels(std::move(labels));
  Dense d{ls.ok() ? std::move(ls).value() : index::LabelSet(), std::vector<double>(ctx.steps, 1),
          std::vector<char>(ctx.steps, 1)};
  for (const Dense& t : total) {
    for (size_t k = 0; k < ctx.steps; ++k) {
      if (t.has[k]) d.has[k] = 0;
    }
  }
  out.series.push_back(std::move(d));
  return out;
}

Result<MetricValue> Eval(Ctx& ctx, const logql::Expr& expr, bool allow_errors) {
  MetricValue out;
  switch (expr.kind) {
    case logql::ExprKind::kLiteral:
      out.is_scalar = true;
      out.scalar = static_cast<const logql::LiteralExpr&>(expr).value;
      return out;
    case logql::ExprKind::kVector: {
      Dense d{index::LabelSet(),
              std::vector<double>(ctx.steps, static_cast<const logql::VectorExpr&>(expr).value),
              std::vector<char>(ctx.steps, 1)};
      out.series.push_back(std::move(d));
      return out;
    }
    case logql::ExprKind::kRangeAggregation: {
      const auto& ra = static_cast<const logql::RangeAggregationExpr&>(expr);
      if (ra.range.unwrap.has_value()) {
        UnwrapContext u{ctx.querier, ctx.pool,  ctx.p.tenant, ctx.p.start_ns, ctx.p.step_ns,
                        ctx.steps,   ctx.guard, allow_errors, &ctx.stats,     ctx.p.max_series};
        SAW_ASSIGN_OR_RETURN(out.series, EvalUnwrap(u, ra));
        return out;
      }
      if (ra.op == logql::RangeOp::kAbsentOverTime) return EvalAbsent(ctx, ra);
      SAW_ASSIGN_OR_RETURN(out.series, EvalRange(ctx, ra, nullptr, allow_errors));
      return out;
    }
    case logql::ExprKind::kVectorAggregation: {
      const auto& v = static_cast<const logql::VectorAggregationExpr&>(expr);
      if (v.inner == nullptr) return Status::NotFound("empty aggregation");
      const bool drops =
          !v.grouping.has_value() || (!v.grouping->without && v.grouping->labels.empty());
      const auto* inner_range = v.inner->kind == logql::ExprKind::kRangeAggregation
                                    ? static_cast<const logql::RangeAggregationExpr*>(v.inner.get())
                                    : nullptr;
      if (v.op == logql::VectorOp::kSum && inner_range != nullptr &&
          !inner_range->range.unwrap.has_value() &&
          inner_range->op != logql::RangeOp::kAbsentOverTime) {
        SAW_ASSIGN_OR_RETURN(
            out.series, EvalRange(ctx, static_cast<const logql::RangeAggregationExpr&>(*v.inner),
                                  &v.grouping, allow_errors || drops));
        return out;
      }
      SAW_ASSIGN_OR_RETURN(MetricValue inner, Eval(ctx, *v.inner, allow_errors || drops));
      if (inner.is_scalar) return Status::NotFound("aggregation of a scalar");
      SAW_ASSIGN_OR_RETURN(out.series, Aggregate(v, std::move(inner.series), ctx.steps));
      return out;
    }
    case logql::ExprKind::kBinOp: {
      const auto& b = static_cast<const logql::BinOpExpr&>(expr);
      if (b.lhs == nullptr || b.rhs == nullptr) return Status::NotFound("empty operand");
      SAW_ASSIGN_OR_RETURN(MetricValue l, Eval(ctx, *b.lhs, allow_errors));
      SAW_ASSIGN_OR_RETURN(MetricValue r, Eval(ctx, *b.rhs, allow_errors));
      return BinaryOp(b, std::move(l), std::move(r), ctx.steps);
    }
    case logql::ExprKind::kLabelReplace: {
      const auto& lr = static_cast<const logql::LabelReplaceExpr&>(expr);
      if (lr.inner == nullptr) return Status::NotFound("empty operand");
      SAW_ASSIGN_OR_RETURN(MetricValue inner, Eval(ctx, *lr.inner, allow_errors));
      if (inner.is_scalar) return Status::NotFound("label_replace of a scalar");
      SAW_ASSIGN_OR_RETURN(out.series, LabelReplace(lr, std::move(inner.series)));
      return out;
    }
    default:
      return Status::NotFound("unsupported metric expression");
  }
}

}  // namespace

Result<MetricQueryResult> ExecuteMetricQuery(Querier* querier, ThreadPool* pool,
                                             const logql::Expr& expr, const MetricQueryParams& p) {
  const auto started = std::chrono::steady_clock::now();
  if (p.step_ns <= 0 || p.end_ns < p.start_ns) return Status::InvalidArgument("bad step");
  QueryGuard local_guard(p.deadline, 0);
  Ctx ctx{querier,
          pool,
          p,
          p.guard != nullptr ? p.guard : &local_guard,
          static_cast<size_t>((p.end_ns - p.start_ns) / p.step_ns) + 1,
          {}};
  SAW_ASSIGN_OR_RETURN(MetricValue value, Eval(ctx, expr, false));
  if (value.is_scalar) {
    value.series.push_back({index::LabelSet(), std::vector<double>(ctx.steps, value.scalar),
                            std::vector<char>(ctx.steps, 1)});
  }
  std::vector<Dense>& series = value.series;
  if (p.max_series > 0 && series.size() > p.max_series) {
    return Status::InvalidArgument(SeriesLimitMessage(p.max_series));
  }
  std::stable_sort(series.begin(), series.end(), [](const Dense& a, const Dense& b) {
    return a.labels.ToString() < b.labels.ToString();
  });
  // Operations such as `or` can yield one label set twice: one series, the first point wins.
  for (size_t i = 1; i < series.size(); ++i) {
    Dense& prev = series[i - 1];
    if (!(series[i].labels == prev.labels)) continue;
    for (size_t k = 0; k < ctx.steps; ++k) {
      if (!prev.has[k] && series[i].has[k]) {
        prev.has[k] = 1;
        prev.v[k] = series[i].v[k];
      }
    }
    std::fill(series[i].has.begin(), series[i].has.end(), 0);
    std::swap(series[i], prev);  // keep the merged one last, for a following duplicate
  }
  MetricQueryResult result;
  for (Dense& d : series) {
    MetricSeries m{std::move(d.labels), {}};
    for (size_t k = 0; k < ctx.steps; ++k) {
      if (d.has[k]) m.points.push_back({p.start_ns + static_cast<int64_t>(k) * p.step_ns, d.v[k]});
    }
    if (!m.points.empty()) result.series.push_back(std::move(m));
  }
  result.stats = ctx.stats;
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
