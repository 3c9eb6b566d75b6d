// A tiny Prometheus registry: counters, gauges and histograms, each a family of children
// told apart by label values, rendered in the text exposition format 0.0.4 for GET /metrics.
//
//   Registry registry;
//   auto& requests = registry.AddCounter("sawmill_http_requests_total", "HTTP requests.",
//                                        {"route", "status_code"});
//   requests.WithLabels({"ready", "200"}).Inc();
//   std::string text = registry.Expose();
//
// Values that live elsewhere (Store::Stats()) are copied into gauges by a scrape hook that
// Expose() runs first, so they are read only when someone scrapes.
//
// Thread-safety: everything may be called from any thread. Children are created on first
// use and live as long as the registry, so references to them may be kept.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sawmill::server {

namespace metrics_internal {
// Appends `name{labels} value\n`; `labels` is the rendered `a="x",b="y"` (may be empty).
void AppendSample(std::string* out, std::string_view name, std::string_view labels, double value);
// `a="x",b="y"` with label values escaped (\\, \", \n).
std::string RenderLabels(const std::vector<std::string>& names,
                         const std::vector<std::string>& values);
}  // namespace metrics_internal

// Monotonic. Set() exists for counters mirrored from a source that already counts (such as
// Store::Stats()), copied in by a scrape hook; never use it to go down.
class Counter {
 public:
  static constexpr std::string_view kType = "counter";
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }
  void Render(std::string_view name, const std::string& labels, std::string* out) const;

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  static constexpr std::string_view kType = "gauge";
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  void Dec(double v = 1) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }
  void Render(std::string_view name, const std::string& labels, std::string* out) const;

 private:
  std::atomic<double> value_{0};
};

// Cumulative buckets with upper bounds `bounds` (ascending) plus +Inf, a sum and a count.
class Histogram {
 public:
  static constexpr std::string_view kType = "histogram";
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  uint64_t Count() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  void Render(std::string_view name, const std::string& labels, std::string* out) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// Prometheus' default buckets for request durations in seconds: .005 .. 10.
std::vector<double> DefaultBuckets();

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  // Appends # HELP, # TYPE and one sample line per child; nothing when there are no children.
  virtual void Render(std::string* out) const = 0;

 protected:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

template <typename M>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::function<std::unique_ptr<M>()> make)
      : FamilyBase(std::move(name), std::move(help), std::move(label_names)),
        make_(std::move(make)) {}

  // The child for these label values, created on first use.
  // REQUIRES: values.size() equals the number of label names.
  M& WithLabels(std::vector<std::string> values) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = children_.find(values);
    if (it == children_.end()) it = children_.emplace(std::move(values), make_()).first;
    return *it->second;
  }
  // The only child of a family without labels.
  M& Get() { return WithLabels({}); }
  // Calls fn(label values, child) for every child, under the family's lock: fn must not call
  // this family.
  void ForEach(const std::function<void(const std::vector<std::string>&, M*)>& fn) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [values, child] : children_) fn(values, child.get());
  }

  void Render(std::string* out) const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (children_.empty()) return;
    out->append("# HELP ").append(name_).push_back(' ');
    for (char c : help_) {
      if (c == '\\')
        out->append("\\\\");
      else if (c == '\n')
        out->append("\\n");
      else
        out->push_back(c);
    }
    out->append("\n# TYPE ").append(name_).push_back(' ');
    out->append(M::kType).push_back('\n');
    for (const auto& [values, child] : children_) {
      child->Render(name_, metrics_internal::RenderLabels(label_names_, values), out);
    }
  }

 private:
  std::function<std::unique_ptr<M>()> make_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> children_;  // sorted: stable output
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // REQUIRES: `name` is a valid metric name not registered before (programmer error).
  Family<Counter>& AddCounter(std::string name, std::string help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(std::string name, std::string help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(std::string name, std::string help,
                                  std::vector<std::string> label_names,
                                  std::vector<double> bounds = DefaultBuckets());

  // `hook` runs at the start of every Expose(), one scrape at a time, under the registry's
  // lock: it may set metrics but must not call the Registry.
  void AddScrapeHook(std::function<void()> hook);

  // Every family in the text format 0.0.4, sorted by name.
  std::string Expose();

 private:
  template <typename M>
  Family<M>& Add(std::string name, std::string help, std::vector<std::string> label_names,
                 std::function<std::unique_ptr<M>()> make);

  std::mutex mu_;  // guards families_ and hooks_; serializes scrapes
  std::map<std::string, std::unique_ptr<FamilyBase>, std::less<>> families_;
  std::vector<std::function<void()>> hooks_;
};

}  // namespace sawmill::server
