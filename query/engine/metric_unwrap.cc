#include "query/engine/metric_unwrap.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <variant>

#include "query/engine/log_query.h"
#include "query/log/compile.h"
#include "query/log/label_name.h"
#include "query/log/logfmt_picker.h"
#include "query/log/units.h"
#include "query/logql/go_text.h"
#include "query/logql/parser.h"

namespace sawmill::query::engine {
namespace {

struct Sample {
  int64_t ts;
  double v;
};

// A group's samples in blocks that never move once written: appending costs no reallocation
// copy, and the blocks several streams gathered for one group are combined by moving them.
// Blocks grow from 64 to 8192 samples, so a group holds at most about twice its samples.
class SampleBlocks {
 public:
  SampleBlocks() = default;
  SampleBlocks(SampleBlocks&& o) noexcept { *this = std::move(o); }
  SampleBlocks& operator=(SampleBlocks&& o) noexcept {
    blocks_ = std::move(o.blocks_);
    next_ = o.next_;
    limit_ = o.limit_;
    o.blocks_.clear();
    o.next_ = o.limit_ = nullptr;
    return *this;
  }

  bool empty() const { return blocks_.empty(); }
  void Push(Sample s) {
    if (next_ == limit_) Grow();
    *next_++ = s;
  }
  size_t size() const {
    size_t n = 0;
    ForEach([&](const Sample*, size_t k) { n += k; });
    return n;
  }
  // Moves o's blocks after this one's; o is left empty.
  void Append(SampleBlocks&& o) {
    if (o.blocks_.empty()) return;
    Sync();
    o.Sync();
    for (Block& b : o.blocks_) blocks_.push_back(std::move(b));
    next_ = o.next_;
    limit_ = o.limit_;
    o.blocks_.clear();
    o.next_ = o.limit_ = nullptr;
  }
  // f(const Sample* p, size_t n) for each block, in the order the samples were pushed.
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t i = 0; i < blocks_.size(); ++i) {
      const Block& b = blocks_[i];
      f(b.data.get(), i + 1 == blocks_.size() ? static_cast<size_t>(next_ - b.data.get()) : b.used);
    }
  }

 private:
  struct Block {
    std::unique_ptr<Sample[]> data;
    size_t used = 0;  // kept up to date for every block but the last (see next_)
    size_t cap = 0;
  };
  void Sync() {
    if (!blocks_.empty())
      blocks_.back().used = static_cast<size_t>(next_ - blocks_.back().data.get());
  }
  void Grow() {
    Sync();
    const size_t cap = blocks_.empty() ? 64 : std::min<size_t>(blocks_.back().cap * 2, 8192);
    blocks_.push_back({std::unique_ptr<Sample[]>(new Sample[cap]), 0, cap});
    next_ = blocks_.back().data.get();
    limit_ = next_ + cap;
  }

  std::vector<Block> blocks_;
  Sample* next_ = nullptr;  // the last block's next free slot
  Sample* limit_ = nullptr;
};

// Go's time.Duration.Seconds(), what Loki's `unwrap duration(...)` returns: whole seconds and
// the remaining nanoseconds converted separately. A single ns / 1e9 differs from it in the
// last bit for about one in eight millisecond values between 1 and 3 s (2994ms:
// 2.9939999999999998 in Loki, 2.994 as one division).
inline double GoSeconds(int64_t ns) {
  return static_cast<double>(ns / 1000000000) + static_cast<double>(ns % 1000000000) / 1e9;
}

// The unwrapped value of `text` as Loki converts it (strconv.ParseFloat, humanize.ParseBytes,
// time.ParseDuration); on failure false with Go's message in *err when err is not null.
bool Convert(logql::UnwrapConv conv, std::string_view text, double* out, std::string* err) {
  std::string ignored;
  if (err == nullptr) err = &ignored;
  switch (conv) {
    case logql::UnwrapConv::kNone:
      return log::ParseGoFloat(text, out, err);
    case logql::UnwrapConv::kBytes: {
      uint64_t b = 0;
      if (!log::ParseHumanBytes(text, &b, err)) return false;
      *out = static_cast<double>(b);
      return true;
    }
    default: {
      int64_t ns = 0;
      if (!logql::ParseSimpleGoDuration(text, &ns) && !logql::ParseGoDuration(text, &ns, err)) {
        return false;
      }
      *out = GoSeconds(ns);
      return true;
    }
  }
}

// Loki's quantile of the n values at v: the sorted values' element at rank q * (n - 1),
// interpolated linearly with the next, found by selection rather than a full sort. May
// reorder v.
double Quantile(double q, double* v, size_t n) {
  if (n == 0) return NAN;
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  const double rank = q * static_cast<double>(n - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, n - 1);
  const double w = rank - static_cast<double>(lo);
  if (std::any_of(v, v + n, [](double x) { return std::isnan(x); })) {
    std::sort(v, v + n);  // as Loki's sort.Float64s, NaN and all
    return v[lo] * (1 - w) + v[hi] * w;
  }
  double a, b;
  if (const size_t k = n - lo; k <= 16) {
    // Few values above rank lo (q near 1, as p99): the k largest kept sorted in top[0, k)
    // over one pass, most values costing one compare; top[0] is rank lo, top[1] rank lo + 1.
    double top[16];
    std::copy(v, v + k, top);
    std::sort(top, top + k);
    for (size_t i = k; i < n; ++i) {
      const double x = v[i];
      if (!(x > top[0])) continue;
      size_t j = 1;
      for (; j < k && top[j] < x; ++j) top[j - 1] = top[j];
      top[j - 1] = x;
    }
    a = top[0];
    b = hi == lo ? a : top[1];
  } else {
    std::nth_element(v, v + lo, v + n);
    a = v[lo];
    b = hi == lo ? a : *std::min_element(v + lo + 1, v + n);
  }
  return a * (1 - w) + b * w;
}

// rate_counter: Loki's extrapolatedRate (Prometheus' rate with counter resets) as Loki 2.8
// computes it, including its unit slip: points keep nanosecond timestamps while the range
// start is taken `range` milliseconds before the first point, so the start gap counts as the
// range in seconds, the end gap is always 0 and the sampled interval is in microseconds.
// Fewer than two points give 0.
double RateCounter(const std::vector<Sample>& s, size_t a, size_t b, int64_t range_ns) {
  if (b - a < 2) return 0;
  const double first = s[a].v;
  const double last = s[b - 1].v;
  double result = last - first;
  double prev = 0;
  for (size_t i = a; i < b; ++i) {
    if (s[i].v < prev) result += prev;  // a reset: the counter restarted from 0
    prev = s[i].v;
  }
  const int64_t range_ms = range_ns / 1000000;
  double to_start = static_cast<double>(range_ms) / 1000;
  const double to_end = 0;
  const double sampled = static_cast<double>(s[b - 1].ts - s[a].ts) / 1000;
  const double avg_gap = sampled / static_cast<double>(b - a - 1);
  if (result > 0 && first >= 0) {
    const double to_zero = sampled * (first / result);
    if (to_zero < to_start) to_start = to_zero;
  }
  const double threshold = avg_gap * 1.1;
  double interval = sampled;
  interval += to_start < threshold ? to_start : avg_gap / 2;
  interval += to_end < threshold ? to_end : avg_gap / 2;
  result = result * (interval / sampled);
  return result / (static_cast<double>(range_ns) / 1e9);
}

double Window(logql::RangeOp op, const std::vector<Sample>& s, size_t a, size_t b, double q,
              double range_s, int64_t range_ns) {
  if (op == logql::RangeOp::kRateCounter) return RateCounter(s, a, b, range_ns);
  const double n = static_cast<double>(b - a);
  double sum = 0, mn = INFINITY, mx = -INFINITY;
  for (size_t i = a; i < b; ++i) {
    sum += s[i].v;
    mn = std::min(mn, s[i].v);
    mx = std::max(mx, s[i].v);
  }
  switch (op) {
    case logql::RangeOp::kSumOverTime:
      return sum;
    case logql::RangeOp::kAvgOverTime:
      return sum / n;
    case logql::RangeOp::kMinOverTime:
      return mn;
    case logql::RangeOp::kMaxOverTime:
      return mx;
    case logql::RangeOp::kRate:
      return sum / range_s;
    case logql::RangeOp::kFirstOverTime:
      return s[a].v;
    case logql::RangeOp::kLastOverTime:
      return s[b - 1].v;
    case logql::RangeOp::kQuantileOverTime: {
      thread_local std::vector<double> v;
      v.clear();
      for (size_t i = a; i < b; ++i) v.push_back(s[i].v);
      return Quantile(q, v.data(), v.size());
    }
    default: {  // stdvar, stddev: population variance, Welford as Prometheus
      double count = 0, mean = 0, m2 = 0;
      for (size_t i = a; i < b; ++i) {
        count += 1;
        const double d = s[i].v - mean;
        mean += d / count;
        m2 += d * (s[i].v - mean);
      }
      const double var = m2 / count;
      return op == logql::RangeOp::kStddevOverTime ? std::sqrt(var) : var;
    }
  }
}

// The fast path's group key for a label set (see fast_by in EvalUnwrap).
std::string FastKey(const index::LabelSet& labels, const logql::Grouping& g) {
  std::string key = "{";
  for (const std::string& name : g.labels) {
    key += name;
    key += '\x01';
    key += labels.Get(name);
    key += '\x02';
  }
  return key;
}

// a == b for short strings of equal size, without a call to memcmp.
inline bool SameBytes(std::string_view a, std::string_view b) {
  size_t i = 0;
  for (; i + 8 <= a.size(); i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) return false;
  }
  for (; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// A grouped label of the logfmt fast path: the stream's value, or the line's.
// The step whose window holds a sample when windows do not overlap (range <= step): the
// first step t_k = start + k * step with t_k >= ts, if k < steps and ts > t_k - range;
// `steps` (none) otherwise. A group's samples come stream by stream, each in time order, so
// consecutive samples mostly share a step: the step's time span is kept and the division
// is done only when a sample leaves it.
class StepFinder {
 public:
  StepFinder(int64_t start_ns, int64_t step_ns, size_t steps, int64_t range_ns)
      : start_(start_ns),
        step_(step_ns),
        steps_(steps),
        range_(range_ns),
        last_(steps == 0 ? INT64_MIN : start_ns + static_cast<int64_t>(steps - 1) * step_ns) {}

  uint32_t operator()(int64_t ts) {
    if (ts <= lo_ || ts > hi_) Find(ts);
    return ts > edge_ ? k_ : static_cast<uint32_t>(steps_);
  }

 private:
  // Sets (lo_, hi_]: the span of ts whose first step at or after it is k_.
  void Find(int64_t ts) {
    if (ts > last_) {  // after the last step: in no window
      k_ = static_cast<uint32_t>(steps_);
      lo_ = last_;
      hi_ = INT64_MAX;
      edge_ = INT64_MAX;
      return;
    }
    int64_t k = 0;
    if (ts <= start_) {
      lo_ = INT64_MIN;
      hi_ = start_;
    } else {
      k = (ts - start_ - 1) / step_ + 1;
      hi_ = start_ + k * step_;
      lo_ = hi_ - step_;
    }
    k_ = static_cast<uint32_t>(k);
    edge_ = hi_ - range_;
  }

  const int64_t start_, step_;
  const size_t steps_;
  const int64_t range_, last_;
  int64_t lo_ = 0, hi_ = INT64_MIN;  // empty: the first sample finds its step
  int64_t edge_ = INT64_MAX;
  uint32_t k_ = 0;
};

struct GroupPart {
  const std::string* name;
  std::string_view stream_value;
  int pick = -1;  // the stream lacks it: the picker's value `pick` (the line's last `name=`)
};

}  // namespace

std::string PipelineErrorMessage(const index::LabelSet& labels) {
  const std::string err(labels.Get("__error__"));
  return "pipeline error: '" + err + "' for series: '" + labels.ToString() +
         "'.\nUse a label filter to intentionally skip this error. (e.g | __error__!=\"" + err +
         "\").\nTo skip all potential errors you can match empty errors.(e.g __error__=\"\")\n"
         "The label filter can also be specified after unwrap. (e.g | unwrap latency | "
         "__error__=\"\" )\n\n";
}

Result<std::vector<Dense>> EvalUnwrap(const UnwrapContext& ctx,
                                      const logql::RangeAggregationExpr& agg) {
  const logql::LogRange& lr = agg.range;
  if (!lr.unwrap.has_value() || lr.selector == nullptr) {
    return Status::NotFound("unsupported unwrap aggregation");
  }
  const logql::Unwrap& uw = *lr.unwrap;
  std::unique_ptr<log::Pipeline> pipeline;
  if (lr.selector->stages.empty()) {
    pipeline = log::NoopPipeline();
  } else {
    SAW_ASSIGN_OR_RETURN(pipeline, log::CompilePipeline(lr.selector->stages));
  }
  // The label filters after unwrap: string matchers (`__error__=""`, the usual one) are
  // checked here, since the conversion error is not a label a pipeline sees; the others run
  // as a pipeline of their own over each sample's labels.
  std::vector<const index::Matcher*> post_matchers;
  std::unique_ptr<log::Pipeline> post;
  std::string post_text;
  for (const auto& f : uw.post_filters) {
    if (f->kind == logql::LabelFilter::Kind::kString && f->matcher.has_value()) {
      post_matchers.push_back(&*f->matcher);
    } else {
      post_text += " | " + f->String();
    }
  }
  if (!post_text.empty()) {
    std::string text = "{__unwrap__=\"1\"}" + post_text;
    SAW_ASSIGN_OR_RETURN(std::unique_ptr<logql::LogSelectorExpr> e, logql::ParseLogSelector(text));
    SAW_ASSIGN_OR_RETURN(post, log::CompilePipeline(e->stages));
  }
  const int64_t range = lr.range_ns;
  const int64_t offset = lr.offset_ns;
  const int64_t end_ns = ctx.start_ns + static_cast<int64_t>(ctx.steps - 1) * ctx.step_ns;
  const int64_t from = ctx.start_ns - range - offset + 1;
  const int64_t to = end_ns - offset + 1;
  SAW_ASSIGN_OR_RETURN(std::vector<SelectedStream> streams,
                       ctx.querier->SelectStreams(ctx.tenant, lr.selector->matchers, from, to));

  // With `by (...)` and no label filter after unwrap, the sample's full label set is never
  // needed: group keys are built from the grouped labels alone.
  const bool fast_by = agg.grouping.has_value() && !agg.grouping->without && post == nullptr &&
                       post_matchers.empty();
  // Loki drops the unwrapped label from a sample's labels only without grouping or with
  // `without`: `by (..., x)` over `unwrap x` keeps x, one series per value.
  const bool by_unwrapped = agg.grouping.has_value() && !agg.grouping->without &&
                            std::find(agg.grouping->labels.begin(), agg.grouping->labels.end(),
                                      uw.label) != agg.grouping->labels.end();
  // `[line filters] | logfmt | unwrap x` by (...): only the unwrapped key and the grouped keys
  // the stream lacks are taken from each line (log::LogfmtPicker), with no label set built; a line
  // the general path would treat differently (a syntax error, a conversion error, a name
  // starting with "__", structured metadata, a group not seen yet) takes the general path.
  std::unique_ptr<log::Pipeline> prefix;  // the line filters before logfmt
  bool fast_logfmt = false;
  if (fast_by && !lr.selector->stages.empty()) {
    const std::vector<logql::Stage>& stages = lr.selector->stages;
    const auto* ps = std::get_if<logql::ParserStage>(&stages.back());
    bool eligible = ps != nullptr && ps->kind == logql::ParserKind::kLogfmt &&
                    ps->extractions.empty() && ps->flags.empty() && !uw.label.starts_with("__");
    for (size_t k = 0; eligible && k + 1 < stages.size(); ++k) {
      eligible = std::holds_alternative<logql::LineFilter>(stages[k]);
    }
    for (const std::string& name : agg.grouping->labels) {
      if (name.ends_with("_extracted") || name.starts_with("__")) eligible = false;
    }
    if (eligible) {
      std::vector<logql::Stage> filters;
      for (size_t k = 0; k + 1 < stages.size(); ++k) {
        filters.emplace_back(std::get<logql::LineFilter>(stages[k]));
      }
      if (filters.empty()) {
        prefix = log::NoopPipeline();
      } else {
        SAW_ASSIGN_OR_RETURN(prefix, log::CompilePipeline(filters));
      }
      fast_logfmt = prefix->IsLineFilterOnly();
    }
  }
  const size_t max_groups = std::max<size_t>(
      ctx.max_series, std::min<size_t>(100000, (size_t{8} << 20) / (ctx.steps + 1)));
  const std::string limit_message =
      "maximum of series (" + std::to_string(ctx.max_series) + ") reached for a single query";
  std::mutex mu;
  Status error;
  std::atomic<bool> failed{false};
  std::map<std::string, std::pair<index::LabelSet, SampleBlocks>> groups;
  auto fail = [&](Status s) {
    std::lock_guard<std::mutex> lock(mu);
    if (error.ok()) error = std::move(s);
    failed = true;
  };
  ctx.pool->ParallelFor(streams.size(), [&](size_t i) {
    if (failed.load(std::memory_order_relaxed)) return;
    if (Status s = ctx.guard->Check(); !s.ok()) {
      fail(std::move(s));
      return;
    }
    MemoryCharger charger(ctx.guard);
    std::unique_ptr<log::StreamPipeline> sp = pipeline->ForStream(*streams[i].labels);
    std::map<std::string, std::pair<index::LabelSet, SampleBlocks>> local;
    QueryStats st;
    log::LineResult r;
    // The general path for one entry: the whole pipeline, then the sample's labels. False
    // when the query fails.
    auto general = [&](int64_t ts_ns, std::string_view line, std::string_view metadata) -> bool {
      if (!sp->Process(ts_ns, line, metadata, &r)) return true;
      ++st.post_filter_lines;
      const std::string_view raw = r.labels->Get(uw.label);
      if (raw.empty()) return true;  // Loki skips lines without the label
      double value = 0;
      std::string err;
      const bool converted = Convert(uw.conv, raw, &value, &err);
      if (fast_by && converted && r.labels->Get("__error__").empty()) {
        // `by (...)` without post filters: only the grouped labels matter.
        std::string key = "{";
        for (const std::string& name : agg.grouping->labels) {
          key += name;
          key += '\x01';
          key += r.labels->Get(name);
          key += '\x02';
        }
        auto& slot = local[key];
        if (slot.second.empty()) slot.first = GroupLabels(*r.labels, agg.grouping);
        slot.second.Push({ts_ns + offset, value});
        if (Status s = charger.Add(sizeof(Sample)); !s.ok()) {
          fail(std::move(s));
          return false;
        }
        if (local.size() > max_groups) {
          fail(Status::InvalidArgument(limit_message));
          return false;
        }
        return true;
      }
      std::vector<index::Label> labels;
      for (const index::Label& l : r.labels->labels()) {
        if (l.name != uw.label || by_unwrapped) labels.push_back(l);
      }
      if (!converted && r.labels->Get("__error__").empty()) {
        labels.push_back({"__error__", "SampleExtractionErr"});
        labels.push_back({"__error_details__", err});
        value = 0;
      }
      // Kept as they are (empty values too, as Loki's result series); sorted, one per name.
      std::stable_sort(
          labels.begin(), labels.end(),
          [](const index::Label& x, const index::Label& y) { return x.name < y.name; });
      labels.erase(std::unique(labels.begin(), labels.end(),
                               [](const index::Label& x, const index::Label& y) {
                                 return x.name == y.name;
                               }),
                   labels.end());
      index::LabelSet sample_labels = index::LabelSet::FromSortedUnchecked(std::move(labels));
      if (!std::all_of(post_matchers.begin(), post_matchers.end(), [&](const index::Matcher* m) {
            return m->Matches(sample_labels.Get(m->name()));
          })) {
        return true;
      }
      if (post != nullptr) {
        std::unique_ptr<log::StreamPipeline> pp = post->ForStream(sample_labels);
        log::LineResult r2;
        if (!pp->Process(ts_ns, line, metadata, &r2)) return true;
        sample_labels = *r2.labels;
      }
      if (!ctx.allow_errors && !sample_labels.Get("__error__").empty()) {
        fail(Status::InvalidArgument(PipelineErrorMessage(sample_labels)));
        return false;
      }
      index::LabelSet key =
          agg.grouping.has_value() ? GroupLabels(sample_labels, agg.grouping) : sample_labels;
      auto& slot = local[fast_by ? FastKey(key, *agg.grouping) : key.ToString()];
      if (slot.second.empty()) slot.first = std::move(key);
      slot.second.Push({ts_ns + offset, value});
      if (Status s = charger.Add(sizeof(Sample)); !s.ok()) {
        fail(std::move(s));
        return false;
      }
      if (local.size() > max_groups) {
        fail(Status::InvalidArgument(limit_message));
        return false;
      }
      return true;
    };
    const index::LabelSet& stream_labels = *streams[i].labels;
    // The logfmt fast path applies to a stream that does not have the unwrapped label (a
    // parsed one would be renamed); grouped labels the stream has are constants.
    const bool fast = fast_logfmt && stream_labels.Get(uw.label).empty();
    // The picker's names: the unwrapped label first, then the grouped labels the stream lacks.
    std::vector<std::string> pick_names{uw.label};
    std::vector<GroupPart> parts;
    if (fast) {
      for (const std::string& name : agg.grouping->labels) {
        const std::string_view v = stream_labels.Get(name);
        GroupPart g{&name, v};
        if (v.empty()) {
          const auto at = std::find(pick_names.begin(), pick_names.end(), name);
          g.pick = static_cast<int>(at - pick_names.begin());
          if (at == pick_names.end()) pick_names.push_back(name);
        }
        parts.push_back(g);
      }
    }
    log::LogfmtPicker picker(pick_names);
    // Without labels from the line the group key is the stream's: looked up once.
    const bool constant_key = pick_names.size() == 1;
    const bool duration =
        uw.conv == logql::UnwrapConv::kDuration || uw.conv == logql::UnwrapConv::kDurationSeconds;
    SampleBlocks* constant_slot = nullptr;
    struct CachedGroup {
      std::string values;  // each picked value as a 4-byte length and its bytes
      SampleBlocks* slot;
    };
    constexpr size_t kMaxCachedGroups = 16;
    std::vector<CachedGroup> cache;
    std::string values;
    auto it = ctx.querier->OpenBatches(ctx.tenant, streams[i].id, from, to, true);
    if (!it.ok()) {
      fail(it.status());
      return;
    }
    std::vector<uint8_t> keep;
    std::string key;
    ScanCheckpoint checkpoint(&failed, ctx.guard, 4096);
    while ((*it)->Next()) {
      const std::string_view text = (*it)->text();
      const std::span<const BatchEntry> entries = (*it)->entries();
      st.lines_scanned += entries.size();
      for (const BatchEntry& e : entries) st.bytes_scanned += e.line_len + e.meta_len;
      if (Status stop; !checkpoint.Continue(st.lines_scanned, &stop)) {
        if (!stop.ok()) fail(std::move(stop));
        return;
      }
      if (fast) {
        keep.resize(entries.size());
        prefix->FilterLines(text, entries, keep.data());
      }
      uint64_t pushed = 0;  // samples of the fast path, charged after the batch
      for (size_t k = 0; k < entries.size(); ++k) {
        const BatchEntry& e = entries[k];
        const std::string_view line = text.substr(e.offset, e.line_len);
        if (fast && !keep[k]) continue;
        if (!fast || e.meta_len != 0 || !picker.Pick(line)) {
          if (!general(e.ts_ns, line, text.substr(size_t{e.offset} + e.line_len, e.meta_len))) {
            return;
          }
          continue;
        }
        const std::string_view unwrapped = picker.value(0);
        if (unwrapped.empty()) {  // Loki skips lines without the label
          ++st.post_filter_lines;
          continue;
        }
        double value = 0;
        int64_t ns = 0;
        if (duration && logql::ParseSimpleGoDuration(unwrapped, &ns)) {
          value = GoSeconds(ns);  // as Convert
        } else if (!Convert(uw.conv, unwrapped, &value, nullptr)) {
          if (!general(e.ts_ns, line, {})) return;
          continue;
        }
        SampleBlocks* slot = constant_slot;
        if (slot == nullptr) {
          // The groups this stream has reached, by the values taken from the line (the
          // stream's part of the key is constant): a short list searched before the map.
          values.clear();
          for (const GroupPart& g : parts) {
            if (g.pick < 0) continue;
            const std::string_view v = picker.value(static_cast<size_t>(g.pick));
            const uint32_t len = static_cast<uint32_t>(v.size());
            values.append(reinterpret_cast<const char*>(&len), sizeof(len));
            values.append(v);
          }
          for (const CachedGroup& c : cache) {
            if (c.values.size() == values.size() && SameBytes(c.values, values)) {
              slot = c.slot;
              break;
            }
          }
        }
        if (slot == nullptr) {
          key.assign("{");
          for (const GroupPart& g : parts) {
            key += *g.name;
            key += '\x01';
            key += g.pick >= 0 ? picker.value(static_cast<size_t>(g.pick)) : g.stream_value;
            key += '\x02';
          }
          auto found = local.find(key);
          if (found == local.end()) {
            // A new group: its labels are what the general path makes of this first line.
            if (!general(e.ts_ns, line, {})) return;
            continue;
          }
          slot = &found->second.second;
          if (constant_key) {
            constant_slot = slot;
          } else if (cache.size() < kMaxCachedGroups) {
            cache.push_back({values, slot});
          }
        }
        ++st.post_filter_lines;
        slot->Push({e.ts_ns + offset, value});
        ++pushed;
      }
      if (Status s = charger.Add(pushed * sizeof(Sample)); !s.ok()) {
        fail(std::move(s));
        return;
      }
    }
    if (Status s = (*it)->status(); !s.ok()) {
      fail(s);
      return;
    }
    // Evaluating a group copies its samples once more (into one array by time, or its values
    // by step): charge them a second time.
    uint64_t samples = 0;
    for (const auto& [k, v] : local) samples += v.second.size();
    if (Status s = charger.Add(samples * sizeof(Sample)); !s.ok()) {
      fail(std::move(s));
      return;
    }
    if (Status s = charger.Flush(); !s.ok()) {
      fail(std::move(s));
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    ctx.stats->Add(st);
    for (auto& [k, v] : local) {
      auto& g = groups[k];
      if (g.second.empty()) g.first = std::move(v.first);
      g.second.Append(std::move(v.second));  // the blocks move: no copy
    }
    if (groups.size() > max_groups && error.ok()) {
      error = Status::InvalidArgument(limit_message);
      failed = true;
    }
  });
  if (!error.ok()) return error;

  const double range_s = static_cast<double>(range) / 1e9;
  const double q = agg.param.value_or(0);
  // quantile, min and max do not depend on the order of a window's samples: when windows do
  // not overlap (range <= step), each sample is put in the one step whose window holds it
  // (a counting sort by step) instead of sorting the samples by time.
  const bool by_step = range <= ctx.step_ns && (agg.op == logql::RangeOp::kQuantileOverTime ||
                                                agg.op == logql::RangeOp::kMinOverTime ||
                                                agg.op == logql::RangeOp::kMaxOverTime);
  std::vector<std::pair<const index::LabelSet*, SampleBlocks*>> todo;
  for (auto& [k, g] : groups) todo.emplace_back(&g.first, &g.second);
  std::vector<Dense> out(todo.size());
  ctx.pool->ParallelFor(todo.size(), [&](size_t i) {
    const SampleBlocks& blocks = *todo[i].second;
    Dense& d = out[i];
    d.labels = *todo[i].first;
    d.v.assign(ctx.steps, 0);
    d.has.assign(ctx.steps, 0);
    if (by_step) {
      // A counting sort by step: at[k + 1] counts step k's values (at[steps + 1] those in no
      // window), then at[k] is where step k's values start in `values` (then, after the
      // scatter, end). The step is found twice rather than stored per sample; a run of
      // samples in one step keeps its count and write position in registers.
      std::vector<uint32_t> at(ctx.steps + 2, 0);
      StepFinder count_step(ctx.start_ns, ctx.step_ns, ctx.steps, range);
      uint32_t cur = static_cast<uint32_t>(ctx.steps), run = 0;
      blocks.ForEach([&](const Sample* s, size_t n) {
        for (size_t x = 0; x < n; ++x) {
          const uint32_t slot = count_step(s[x].ts);
          if (slot != cur) {
            at[cur + 1] += run;
            cur = slot;
            run = 0;
          }
          ++run;
        }
      });
      at[cur + 1] += run;
      for (size_t k = 0; k < ctx.steps; ++k) at[k + 1] += at[k];
      std::unique_ptr<double[]> values(new double[at[ctx.steps]]);
      StepFinder scatter_step(ctx.start_ns, ctx.step_ns, ctx.steps, range);
      cur = static_cast<uint32_t>(ctx.steps);
      uint32_t pos = 0;  // step cur's next write position, when cur is a step
      blocks.ForEach([&](const Sample* s, size_t n) {
        for (size_t x = 0; x < n; ++x) {
          const uint32_t slot = scatter_step(s[x].ts);
          if (slot != cur) {
            if (cur < ctx.steps) at[cur] = pos;
            cur = slot;
            if (cur < ctx.steps) pos = at[cur];
          }
          if (cur < ctx.steps) values[pos++] = s[x].v;
        }
      });
      if (cur < ctx.steps) at[cur] = pos;
      for (size_t k = 0, begin = 0; k < ctx.steps; begin = at[k], ++k) {
        const size_t n = at[k] - begin;
        if (n == 0) continue;
        double* v = values.get() + begin;
        d.has[k] = 1;
        if (agg.op == logql::RangeOp::kQuantileOverTime) {
          d.v[k] = Quantile(q, v, n);
        } else {
          double mn = INFINITY, mx = -INFINITY;  // as Window's loop
          for (size_t j = 0; j < n; ++j) {
            mn = std::min(mn, v[j]);
            mx = std::max(mx, v[j]);
          }
          d.v[k] = agg.op == logql::RangeOp::kMinOverTime ? mn : mx;
        }
      }
      return;
    }
    // The samples in one array, in the order they were gathered, then by time (stable).
    std::vector<Sample> s;
    s.reserve(blocks.size());
    blocks.ForEach([&](const Sample* p, size_t n) { s.insert(s.end(), p, p + n); });
    auto by_ts = [](const Sample& a, const Sample& b) { return a.ts < b.ts; };
    if (!std::is_sorted(s.begin(), s.end(), by_ts)) std::stable_sort(s.begin(), s.end(), by_ts);
    size_t a = 0, b = 0;
    for (size_t k2 = 0; k2 < ctx.steps; ++k2) {
      const int64_t t = ctx.start_ns + static_cast<int64_t>(k2) * ctx.step_ns;
      while (b < s.size() && s[b].ts <= t) ++b;
      while (a < b && s[a].ts <= t - range) ++a;
      if (a == b) continue;
      d.has[k2] = 1;
      d.v[k2] = Window(agg.op, s, a, b, q, range_s, range);
    }
  });
  return out;
}

}  // namespace sawmill::query::engine
