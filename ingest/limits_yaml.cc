#include "ingest/limits_yaml.h"

#include <charconv>
#include <cmath>
#include <string>

#include <yaml-cpp/yaml.h>

#include "ingest/otlp_config.h"
#include "storage/units.h"

namespace sawmill::ingest {
namespace {

std::string Where(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return "";
  return "line " + std::to_string(m.line + 1) + ", col " + std::to_string(m.column + 1) + ": ";
}

Status At(const YAML::Node& node, std::string_view path, const std::string& message) {
  return Status::InvalidArgument(Where(node) + std::string(path) + ": " + message);
}

// The scalar text of a value; an error for a mapping, a sequence or null.
Status ScalarText(const YAML::Node& value, std::string_view path, std::string* out) {
  if (!value.IsScalar()) {
    return At(value, path,
              value.IsNull() ? "want a value, got nothing"
                             : "want a single value, got a mapping or a list");
  }
  *out = value.Scalar();
  return Status::OK();
}

using Setter = Status (*)(const YAML::Node& value, std::string_view path, PushLimits* limits);

template <size_t PushLimits::*kField>
Status SetBytes(const YAML::Node& value, std::string_view path, PushLimits* limits) {
  std::string text;
  SAW_RETURN_IF_ERROR(ScalarText(value, path, &text));
  Result<uint64_t> bytes = ParseBytes(text);
  if (!bytes.ok()) return At(value, path, bytes.status().message());
  limits->*kField = static_cast<size_t>(*bytes);
  return Status::OK();
}

template <size_t PushLimits::*kField>
Status SetCount(const YAML::Node& value, std::string_view path, PushLimits* limits) {
  std::string text;
  SAW_RETURN_IF_ERROR(ScalarText(value, path, &text));
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return At(value, path, "want a whole number, got \"" + text + "\"");
  }
  limits->*kField = static_cast<size_t>(n);
  return Status::OK();
}

template <double PushLimits::*kField>
Status SetNumber(const YAML::Node& value, std::string_view path, PushLimits* limits) {
  std::string text;
  SAW_RETURN_IF_ERROR(ScalarText(value, path, &text));
  double x = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(x) || x < 0) {
    return At(value, path, "want a number, at least 0, got \"" + text + "\"");
  }
  limits->*kField = x;
  return Status::OK();
}

template <bool PushLimits::*kField>
Status SetBool(const YAML::Node& value, std::string_view path, PushLimits* limits) {
  std::string text;
  SAW_RETURN_IF_ERROR(ScalarText(value, path, &text));
  if (text == "true") {
    limits->*kField = true;
  } else if (text == "false") {
    limits->*kField = false;
  } else {
    return At(value, path, "want true or false, got \"" + text + "\"");
  }
  return Status::OK();
}

template <std::chrono::nanoseconds PushLimits::*kField>
Status SetDuration(const YAML::Node& value, std::string_view path, PushLimits* limits) {
  std::string text;
  SAW_RETURN_IF_ERROR(ScalarText(value, path, &text));
  Result<std::chrono::nanoseconds> d = ParseDuration(text);
  if (!d.ok()) return At(value, path, d.status().message());
  limits->*kField = *d;
  return Status::OK();
}

Status SetDeletionMode(const YAML::Node& value, std::string_view path, PushLimits* limits) {
  std::string text;
  SAW_RETURN_IF_ERROR(ScalarText(value, path, &text));
  Result<DeletionMode> mode = ParseDeletionMode(text);
  if (!mode.ok()) return At(value, path, mode.status().message());
  limits->deletion_mode = *mode;
  return Status::OK();
}

Status SetOtlpConfig(const YAML::Node& value, std::string_view path, PushLimits* limits) {
  SAW_ASSIGN_OR_RETURN(limits->otlp_config, ParseOtlpConfigYaml(value, path));
  return Status::OK();
}

struct Field {
  std::string_view key;  // Loki's limits_config name
  Setter set;
};

// Loki's names, one line per PushLimits field.
constexpr Field kFields[] = {
    {"max_line_size", SetBytes<&PushLimits::max_line_size>},
    {"max_line_size_truncate", SetBool<&PushLimits::truncate_lines>},
    {"max_label_names_per_series", SetCount<&PushLimits::max_label_names>},
    {"max_label_name_length", SetCount<&PushLimits::max_label_name_length>},
    {"max_label_value_length", SetCount<&PushLimits::max_label_value_length>},
    {"reject_old_samples", SetBool<&PushLimits::reject_old_samples>},
    {"reject_old_samples_max_age", SetDuration<&PushLimits::reject_old_samples_max_age>},
    {"creation_grace_period", SetDuration<&PushLimits::creation_grace_period>},
    {"ingestion_rate_mb", SetNumber<&PushLimits::ingestion_rate_mb>},
    {"ingestion_burst_size_mb", SetNumber<&PushLimits::ingestion_burst_size_mb>},
    {"max_streams_per_user", SetCount<&PushLimits::max_streams_per_user>},
    {"max_global_streams_per_user", SetCount<&PushLimits::max_global_streams_per_user>},
    {"deletion_mode", SetDeletionMode},
    {"otlp_config", SetOtlpConfig},
};

std::string Join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

Status ApplyLimit(std::string_view key, const YAML::Node& value, std::string_view path,
                  PushLimits* limits) {
  for (const Field& f : kFields) {
    if (f.key == key) return f.set(value, path, limits);
  }
  return Status::NotFound(std::string(key));
}

Status ApplyLimits(const YAML::Node& map, std::string_view path, PushLimits* limits) {
  if (map.IsNull()) return Status::OK();
  if (!map.IsMap()) return At(map, path, "want a mapping of limit names to values");
  for (const auto& kv : map) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar()) return At(key, path, "want a limit name");
    const std::string& name = key.Scalar();
    Status s = ApplyLimit(name, kv.second, Join(path, name), limits);
    if (s.IsNotFound()) return At(key, Join(path, name), "field not found (no such limit)");
    SAW_RETURN_IF_ERROR(s);
  }
  return Status::OK();
}

Result<TenantLimits> ParseConfig(std::string_view yaml, const PushLimits& defaults) {
  const YAML::Node root = YAML::Load(std::string(yaml));
  TenantLimits out;
  if (root.IsNull()) return out;
  if (!root.IsMap()) return At(root, "runtime config", "want a mapping with an overrides key");
  for (const auto& section : root) {
    const YAML::Node& key = section.first;
    const std::string name = key.IsScalar() ? key.Scalar() : "";
    // Loki's other runtime sections (per-tenant runtime settings, KV options) tune parts of
    // Loki that Sawmill does not have; they are accepted and ignored.
    if (name == "configs" || name == "multi_kv_config") continue;
    if (name != "overrides") return At(key, name, "field not found (want overrides)");
    const YAML::Node& tenants = section.second;
    if (tenants.IsNull()) continue;
    if (!tenants.IsMap()) return At(tenants, "overrides", "want a mapping of tenants to limits");
    for (const auto& t : tenants) {
      if (!t.first.IsScalar() || t.first.Scalar().empty()) {
        return At(t.first, "overrides", "want a tenant ID");
      }
      const std::string tenant = t.first.Scalar();
      PushLimits limits = defaults;
      SAW_RETURN_IF_ERROR(ApplyLimits(t.second, "overrides." + tenant, &limits));
      out[tenant] = limits;
    }
  }
  return out;
}

}  // namespace

Result<DeletionMode> ParseDeletionMode(std::string_view text) {
  if (text == "disabled") return DeletionMode::kDisabled;
  if (text == "filter-only") return DeletionMode::kFilterOnly;
  if (text == "filter-and-delete") return DeletionMode::kFilterAndDelete;
  return Status::InvalidArgument(
      "unknown deletion mode: want disabled, filter-only or filter-and-delete");
}

Status ApplyLimitsYaml(const YAML::Node& map, std::string_view path, PushLimits* limits) {
  try {
    return ApplyLimits(map, path, limits);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(e.what());
  }
}

Status ApplyLimitYaml(std::string_view key, const YAML::Node& value, std::string_view path,
                      PushLimits* limits) {
  try {
    return ApplyLimit(key, value, path, limits);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(e.what());
  }
}

Result<TenantLimits> ParseRuntimeConfig(std::string_view yaml, const PushLimits& defaults) {
  // yaml-cpp reports syntax errors by throwing; they stop here, with their line and column.
  try {
    return ParseConfig(yaml, defaults);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(e.what());
  }
}

}  // namespace sawmill::ingest
