#include "server/metrics.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

namespace sawmill::server {
namespace {

// Go's strconv formatting as Prometheus clients use it: shortest round-trip, +Inf, NaN.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

[[maybe_unused]] bool ValidName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == ':';
  });
}

}  // namespace

namespace metrics_internal {

void AppendSample(std::string* out, std::string_view name, std::string_view labels, double value) {
  out->append(name);
  if (!labels.empty()) out->append("{").append(labels).append("}");
  out->push_back(' ');
  out->append(FormatValue(value));
  out->push_back('\n');
}

std::string RenderLabels(const std::vector<std::string>& names,
                         const std::vector<std::string>& values) {
  assert(names.size() == values.size());
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(names[i]).append("=\"");
    for (char c : values[i]) {
      if (c == '\\')
        out.append("\\\\");
      else if (c == '"')
        out.append("\\\"");
      else if (c == '\n')
        out.append("\\n");
      else
        out.push_back(c);
    }
    out.push_back('"');
  }
  return out;
}

}  // namespace metrics_internal

void Counter::Render(std::string_view name, const std::string& labels, std::string* out) const {
  metrics_internal::AppendSample(out, name, labels, Value());
}

void Gauge::Render(std::string_view name, const std::string& labels, std::string* out) const {
  metrics_internal::AppendSample(out, name, labels, Value());
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  assert(std::is_sorted(bounds_.begin(), bounds_.end()));
}

void Histogram::Observe(double v) {
  // Bucket i counts v <= bounds_[i]; the last one counts everything above.
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

uint64_t Histogram::Count() const {
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) total += counts_[i].load(std::memory_order_relaxed);
  return total;
}

void Histogram::Render(std::string_view name, const std::string& labels, std::string* out) const {
  const std::string bucket = std::string(name) + "_bucket";
  const std::string prefix = labels.empty() ? "" : labels + ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    const std::string le = i < bounds_.size() ? FormatValue(bounds_[i]) : "+Inf";
    metrics_internal::AppendSample(out, bucket, prefix + "le=\"" + le + "\"",
                                   static_cast<double>(cumulative));
  }
  metrics_internal::AppendSample(out, std::string(name) + "_sum", labels, Sum());
  // The count is the +Inf bucket, so the two always agree within one scrape.
  metrics_internal::AppendSample(out, std::string(name) + "_count", labels,
                                 static_cast<double>(cumulative));
}

std::vector<double> DefaultBuckets() { return {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}; }

template <typename M>
Family<M>& Registry::Add(std::string name, std::string help, std::vector<std::string> label_names,
                         std::function<std::unique_ptr<M>()> make) {
  assert(ValidName(name));
  assert(std::all_of(label_names.begin(), label_names.end(), ValidName));
  std::lock_guard<std::mutex> lock(mu_);
  assert(families_.find(name) == families_.end());
  auto family =
      std::make_unique<Family<M>>(name, std::move(help), std::move(label_names), std::move(make));
  Family<M>& ref = *family;
  families_[std::move(name)] = std::move(family);
  return ref;
}

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  return Add<Counter>(std::move(name), std::move(help), std::move(label_names),
                      [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> label_names) {
  return Add<Gauge>(std::move(name), std::move(help), std::move(label_names),
                    [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
  return Add<Histogram>(std::move(name), std::move(help), std::move(label_names),
                        [bounds] { return std::make_unique<Histogram>(bounds); });
}

void Registry::AddScrapeHook(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  hooks_.push_back(std::move(hook));
}

std::string Registry::Expose() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& hook : hooks_) hook();
  std::string out;
  for (const auto& [name, family] : families_) family->Render(&out);
  return out;
}

}  // namespace sawmill::server
