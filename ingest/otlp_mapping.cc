#include "ingest/otlp_mapping.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "index/labels.h"
#include "ingest/level_detection.h"
#include "ingest/otlp_value.h"

namespace sawmill::ingest {
namespace {

using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;

// Copies of rendered text, in large blocks owned by the PushRequest. A block is sized once
// and written through data(), never resized, so views into it stay valid.
class TextArena {
 public:
  TextArena(PushRequest* req, size_t max_bytes) : req_(req), max_(max_bytes) {}

  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    if (s.size() > max_ - used_) {
      exceeded_ = true;
      return {};
    }
    used_ += s.size();
    if (s.size() > kBlock / 4) return req_->Own(std::string(s));
    if (left_ < s.size()) {
      std::string& block = req_->storage.emplace_back();
      block.resize(kBlock);
      cur_ = block.data();
      left_ = kBlock;
    }
    std::memcpy(cur_, s.data(), s.size());
    std::string_view view(cur_, s.size());
    cur_ += s.size();
    left_ -= s.size();
    return view;
  }

  Status status() const {
    if (!exceeded_) return Status::OK();
    return Status::ResourceExhausted("OTLP request renders to more than " + std::to_string(max_) +
                                     " bytes of labels and structured metadata");
  }

 private:
  static constexpr size_t kBlock = size_t{64} << 10;
  PushRequest* req_;
  const size_t max_;
  size_t used_ = 0;
  bool exceeded_ = false;
  char* cur_ = nullptr;
  size_t left_ = 0;
};

// The record fields that may become metadata (observed_timestamp ... span_id).
constexpr size_t kRecordFields = 7;
// Bound on the attribute names NormalizedName remembers (keys are attacker-chosen).
constexpr size_t kMaxCachedNames = 4096;

class Mapper {
 public:
  Mapper(const OtlpMappingOptions& options, int64_t now_ns, PushRequest* out)
      : options_(options),
        now_ns_(now_ns),
        out_(out),
        arena_(out, options.max_rendered_bytes),
        budget_(options.max_items) {}

  Status Map(const OtlpLogs& logs) {
    for (const OtlpResourceLogs& rl : logs.resource_logs) {
      SAW_RETURN_IF_ERROR(Resource(rl));
      SAW_RETURN_IF_ERROR(arena_.status());
    }
    return Status::OK();
  }

 private:
  // The value as text: a string is viewed where it is, anything else rendered and copied.
  std::string_view ValueText(const OtlpValue& v) {
    if (v.kind == OtlpValue::Kind::kString) return v.bytes;
    scratch_.clear();
    AppendOtlpAsString(v, &scratch_);
    return arena_.Copy(scratch_);
  }

  // Loki's attributeToLabels: a key-value list is flattened with `prefix_name` names.
  void Flatten(const OtlpKeyValue& kv, std::string_view prefix, Pairs* out) {
    std::string_view name;
    if (prefix.empty()) {
      name = NormalizedName(kv.key);
    } else {
      std::string joined;
      joined.append(prefix);
      joined.push_back('_');
      joined.append(kv.key);
      std::string normalized;
      AppendNormalizedLabelName(joined, &normalized);
      name = arena_.Copy(normalized);
    }
    if (kv.value.kind == OtlpValue::Kind::kKvList) {
      for (const OtlpKeyValue& child : kv.value.kvlist) Flatten(child, name, out);
      return;
    }
    out->emplace_back(name, ValueText(kv.value));
  }

  // An attribute key's label name; the same keys recur on every record, so each is normalized
  // once per request.
  std::string_view NormalizedName(std::string_view key) {
    if (IsNormalizedLabelName(key)) return key;
    auto it = names_.find(key);
    if (it != names_.end()) return it->second;
    std::string normalized;
    AppendNormalizedLabelName(key, &normalized);
    std::string_view name = arena_.Copy(normalized);
    if (names_.size() < kMaxCachedNames) names_.emplace(key, name);
    return name;
  }

  // Decimal text of `v` in the arena (no heap string).
  template <typename T>
  std::string_view Decimal(T v) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof(buf), v);
    return arena_.Copy(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
  }

  OtlpAction ResourceAction(std::string_view key) const {
    if (options_.config != nullptr) return options_.config->ResourceAction(key);
    for (const std::string& a : options_.index_label_attributes) {
      if (a == key) return OtlpAction::kIndexLabel;
    }
    return OtlpAction::kStructuredMetadata;
  }
  bool DropsScopeAttribute(std::string_view key) const {
    return options_.config != nullptr && options_.config->ScopeAction(key) == OtlpAction::kDrop;
  }
  OtlpAction LogAction(std::string_view key) const {
    if (options_.config == nullptr) return OtlpAction::kStructuredMetadata;
    return options_.config->LogAction(key);
  }

  bool IsServiceNameSource(std::string_view label) const {
    for (const std::string& a : options_.discover_service_name) {
      if (a == label) return true;
    }
    return false;
  }

  Status Resource(const OtlpResourceLogs& rl) {
    bool has_service_name = false;
    for (const OtlpKeyValue& kv : rl.resource_attributes) {
      if (kv.key == "service.name") {
        scratch_.clear();
        AppendOtlpAsString(kv.value, &scratch_);
        has_service_name = !scratch_.empty();
      }
    }
    // Go's model.LabelSet: a map, so of a repeated name the last value wins.
    std::map<std::string_view, std::string_view> labels;
    Pairs resource_metadata;
    const bool discover = !options_.discover_service_name.empty();
    for (const OtlpKeyValue& kv : rl.resource_attributes) {
      const OtlpAction action = ResourceAction(kv.key);
      if (action == OtlpAction::kDrop) continue;
      if (action == OtlpAction::kStructuredMetadata) {
        Flatten(kv, {}, &resource_metadata);
        continue;
      }
      Pairs promoted;
      Flatten(kv, {}, &promoted);
      for (const auto& [name, value] : promoted) {
        labels[name] = value;
        if (!has_service_name && discover && IsServiceNameSource(name)) {
          labels["service_name"] = value;
          has_service_name = true;
        }
      }
    }
    if (!has_service_name && discover) labels["service_name"] = "unknown_service";

    Pairs label_pairs;
    // An index, not a pointer: records with index labels of their own add streams.
    SAW_ASSIGN_OR_RETURN(const size_t stream, StreamFor(Render(labels, &label_pairs)));

    for (const OtlpScopeLogs& sl : rl.scope_logs) {
      Pairs scope_metadata;
      for (const OtlpKeyValue& kv : sl.scope_attributes) {
        if (!DropsScopeAttribute(kv.key)) Flatten(kv, {}, &scope_metadata);
      }
      if (!sl.scope_name.empty()) scope_metadata.emplace_back("scope_name", sl.scope_name);
      if (!sl.scope_version.empty()) {
        scope_metadata.emplace_back("scope_version", sl.scope_version);
      }
      if (sl.scope_dropped_attributes_count != 0) {
        scope_metadata.emplace_back("scope_dropped_attributes_count",
                                    Decimal(sl.scope_dropped_attributes_count));
      }
      for (const OtlpLogRecord& rec : sl.log_records) {
        SAW_RETURN_IF_ERROR(budget_.Take());
        PushEntry e;
        e.metadata.reserve(rec.attributes.size() + kRecordFields + resource_metadata.size() +
                           scope_metadata.size() + 1);
        Pairs record_labels;
        Record(rec, &e, &record_labels);
        e.metadata.insert(e.metadata.end(), resource_metadata.begin(), resource_metadata.end());
        e.metadata.insert(e.metadata.end(), scope_metadata.begin(), scope_metadata.end());
        size_t target = stream;
        const Pairs* target_labels = &label_pairs;
        Pairs combined_pairs;
        if (!record_labels.empty()) {
          // Loki: the resource's labels plus the record's, a record's value winning; the
          // entry goes to that stream.
          std::map<std::string_view, std::string_view> combined = labels;
          for (const auto& [name, value] : record_labels) combined[name] = value;
          SAW_ASSIGN_OR_RETURN(target, StreamFor(Render(combined, &combined_pairs)));
          target_labels = &combined_pairs;
        }
        if (options_.discover_log_levels) {
          std::string_view level = DetectLevel(*target_labels, e.metadata, e.line);
          if (!level.empty()) e.metadata.emplace_back(kDetectedLevel, level);
        }
        SAW_RETURN_IF_ERROR(budget_.Take(e.metadata.size()));
        out_->streams[target].entries.push_back(std::move(e));
      }
      SAW_RETURN_IF_ERROR(arena_.status());
    }
    return Status::OK();
  }

  // Loki's label string of `labels` (sorted by name); *pairs gets them in the same order.
  static std::string Render(const std::map<std::string_view, std::string_view>& labels,
                            Pairs* pairs) {
    std::string rendered = "{";
    for (const auto& [name, value] : labels) {
      if (rendered.size() > 1) rendered.append(", ");
      rendered.append(name);
      rendered.push_back('=');
      index::AppendQuoted(&rendered, value);
      pairs->emplace_back(name, value);
    }
    rendered.push_back('}');
    return rendered;
  }

  // The index in out_->streams of the stream named `labels`, added when new.
  Result<size_t> StreamFor(const std::string& labels) {
    auto it = streams_.find(labels);
    if (it != streams_.end()) return it->second;
    SAW_RETURN_IF_ERROR(budget_.Take());
    PushStream& s = out_->streams.emplace_back();
    s.labels = out_->Own(labels);
    streams_.emplace(labels, out_->streams.size() - 1);
    return out_->streams.size() - 1;
  }

  void Number(std::string_view name, uint64_t v, Pairs* out) {
    out->emplace_back(name, Decimal(v));
  }

  void Hex(std::string_view name, std::string_view bytes, Pairs* out) {
    static constexpr char kHex[] = "0123456789abcdef";
    char buf[32];
    size_t n = std::min(bytes.size(), sizeof(buf) / 2);
    for (size_t i = 0; i < n; ++i) {
      buf[2 * i] = kHex[static_cast<uint8_t>(bytes[i]) >> 4];
      buf[2 * i + 1] = kHex[static_cast<uint8_t>(bytes[i]) & 15];
    }
    out->emplace_back(name, arena_.Copy(std::string_view(buf, 2 * n)));
  }

  // Loki's otlpLogToPushEntry: the line, timestamp and the record's own metadata; the log
  // attributes otlp_config makes index_label (and severity_text with severity_text_as_label)
  // go to *labels instead (severity_text stays metadata too, as in Loki).
  void Record(const OtlpLogRecord& rec, PushEntry* e, Pairs* labels) {
    if (rec.time_unix_nano != 0) {
      e->ts_ns = static_cast<int64_t>(rec.time_unix_nano);
    } else if (rec.observed_time_unix_nano != 0) {
      e->ts_ns = static_cast<int64_t>(rec.observed_time_unix_nano);
    } else {
      e->ts_ns = now_ns_;
    }
    e->line = ValueText(rec.body);
    Pairs& md = e->metadata;
    for (const OtlpKeyValue& kv : rec.attributes) {
      const OtlpAction action = LogAction(kv.key);
      if (action == OtlpAction::kStructuredMetadata) Flatten(kv, {}, &md);
      if (action == OtlpAction::kIndexLabel) Flatten(kv, {}, labels);
    }
    if (rec.time_unix_nano != 0 && rec.observed_time_unix_nano != 0) {
      md.emplace_back(
          "observed_timestamp",
          arena_.Copy(std::to_string(static_cast<int64_t>(rec.observed_time_unix_nano))));
    }
    if (rec.severity_number != 0) {
      md.emplace_back("severity_number", Decimal(rec.severity_number));
    }
    if (!rec.severity_text.empty()) {
      if (options_.config != nullptr && options_.config->severity_text_as_label) {
        labels->emplace_back("severity_text", rec.severity_text);
      }
      md.emplace_back("severity_text", rec.severity_text);
    }
    if (rec.dropped_attributes_count != 0) {
      Number("dropped_attributes_count", rec.dropped_attributes_count, &md);
    }
    if (rec.flags != 0) Number("flags", rec.flags, &md);
    if (!rec.trace_id.empty()) Hex("trace_id", rec.trace_id, &md);
    if (!rec.span_id.empty()) Hex("span_id", rec.span_id, &md);
  }

  const OtlpMappingOptions& options_;
  const int64_t now_ns_;
  PushRequest* out_;
  TextArena arena_;
  PushItemBudget budget_;
  std::unordered_map<std::string, size_t> streams_;
  std::unordered_map<std::string_view, std::string_view> names_;  // see NormalizedName
  std::string scratch_;
};

}  // namespace

const std::vector<std::string>& DefaultOtlpIndexLabelAttributes() {
  static const std::vector<std::string> kList = {
      "service.name",
      "service.namespace",
      "service.instance.id",
      "deployment.environment",
      "deployment.environment.name",
      "cloud.region",
      "cloud.availability_zone",
      "k8s.cluster.name",
      "k8s.namespace.name",
      "k8s.pod.name",
      "k8s.container.name",
      "container.name",
      "k8s.replicaset.name",
      "k8s.deployment.name",
      "k8s.statefulset.name",
      "k8s.daemonset.name",
      "k8s.cronjob.name",
      "k8s.job.name",
  };
  return kList;
}

const std::vector<std::string>& DefaultDiscoverServiceName() {
  static const std::vector<std::string> kList = {
      "service",
      "app",
      "application",
      "app_name",
      "name",
      "app_kubernetes_io_name",
      "container",
      "container_name",
      "k8s_container_name",
      "component",
      "workload",
      "job",
      "k8s_job_name",
  };
  return kList;
}

Status OtlpToPushRequest(const OtlpLogs& logs, const OtlpMappingOptions& options, int64_t now_ns,
                         PushRequest* out) {
  return Mapper(options, now_ns, out).Map(logs);
}

}  // namespace sawmill::ingest
