#include "ingest/otlp_config.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "ingest/otlp_mapping.h"

namespace sawmill::ingest {
namespace {

Status At(const YAML::Node& node, const std::string& path, const std::string& message) {
  const YAML::Mark m = node.Mark();
  std::string where;
  if (!m.is_null()) {
    where = "line " + std::to_string(m.line + 1) + ", col " + std::to_string(m.column + 1) + ": ";
  }
  return Status::InvalidArgument(where + path + ": " + message);
}

std::string Join(std::string_view path, std::string_view key) {
  return std::string(path) + "." + std::string(key);
}

Status ParseRule(const YAML::Node& node, const std::string& path, bool allow_index_label,
                 OtlpAttributeRule* rule) {
  if (!node.IsMap()) return At(node, path, "want a mapping with action and attributes or regex");
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const YAML::Node& value = kv.second;
    const std::string at = Join(path, key);
    if (key == "action") {
      const std::string a = value.IsScalar() ? value.Scalar() : "";
      if (a == "index_label") {
        if (!allow_index_label) {
          // Loki's OTLPConfig.Validate text (log attributes may be index labels since 3.5).
          return At(value, at, "index_label action is only supported for resource_attributes");
        }
        rule->action = OtlpAction::kIndexLabel;
      } else if (a == "structured_metadata" || a.empty()) {
        rule->action = OtlpAction::kStructuredMetadata;
      } else if (a == "drop") {
        rule->action = OtlpAction::kDrop;
      } else {
        return At(value, at,
                  "unsupported action, it must be one of: drop, index_label, structured_metadata");
      }
    } else if (key == "attributes") {
      if (!value.IsSequence()) return At(value, at, "want a list of attribute names");
      for (const YAML::Node& a : value) {
        if (!a.IsScalar()) return At(a, at, "want an attribute name");
        rule->attributes.push_back(a.Scalar());
      }
    } else if (key == "regex") {
      if (!value.IsScalar()) return At(value, at, "want a regular expression");
      re2::RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_shared<const re2::RE2>(value.Scalar(), options);
      if (!re->ok()) return At(value, at, "invalid regex: " + re->error());
      rule->regex = std::move(re);
    } else {
      return At(kv.first, at, "field not found");
    }
  }
  if (rule->attributes.empty() && rule->regex == nullptr) {
    return At(node, path, "attributes or regex must be set");
  }
  if (!rule->attributes.empty() && rule->regex != nullptr) {
    return At(node, path, "only one of attributes or regex must be set");
  }
  return Status::OK();
}

Status ParseRules(const YAML::Node& node, const std::string& path, bool allow_index_label,
                  std::vector<OtlpAttributeRule>* rules) {
  if (node.IsNull()) return Status::OK();
  if (!node.IsSequence()) return At(node, path, "want a list of attribute rules");
  size_t i = 0;
  for (const YAML::Node& r : node) {
    OtlpAttributeRule rule;
    SAW_RETURN_IF_ERROR(
        ParseRule(r, path + "[" + std::to_string(i++) + "]", allow_index_label, &rule));
    rules->push_back(std::move(rule));
  }
  return Status::OK();
}

OtlpAction FirstMatch(const std::vector<OtlpAttributeRule>& rules, std::string_view attribute) {
  for (const OtlpAttributeRule& r : rules) {
    if (r.Matches(attribute)) return r.action;
  }
  return OtlpAction::kStructuredMetadata;
}

const char* ActionName(OtlpAction a) {
  switch (a) {
    case OtlpAction::kIndexLabel:
      return "index_label";
    case OtlpAction::kDrop:
      return "drop";
    case OtlpAction::kStructuredMetadata:
      break;
  }
  return "structured_metadata";
}

void EmitRule(OtlpAction action, const std::vector<std::string>& attributes, const re2::RE2* regex,
              YAML::Emitter* out) {
  *out << YAML::BeginMap << YAML::Key << "action" << YAML::Value << ActionName(action);
  if (!attributes.empty()) {
    *out << YAML::Key << "attributes" << YAML::Value << YAML::BeginSeq;
    for (const std::string& a : attributes) *out << a;
    *out << YAML::EndSeq;
  }
  if (regex != nullptr) *out << YAML::Key << "regex" << YAML::Value << regex->pattern();
  *out << YAML::EndMap;
}

void EmitRules(const std::vector<OtlpAttributeRule>& rules, YAML::Emitter* out) {
  *out << YAML::BeginSeq;
  for (const OtlpAttributeRule& r : rules) EmitRule(r.action, r.attributes, r.regex.get(), out);
  *out << YAML::EndSeq;
}

}  // namespace

std::string OtlpConfigYaml(const OtlpConfig* config) {
  static const OtlpConfig kDefaults;
  const OtlpConfig& c = config != nullptr ? *config : kDefaults;
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "resource_attributes" << YAML::Value << YAML::BeginMap;
  if (c.ignore_defaults) out << YAML::Key << "ignore_defaults" << YAML::Value << true;
  if (!c.ignore_defaults || !c.resource_attributes.empty()) {
    out << YAML::Key << "attributes_config" << YAML::Value << YAML::BeginSeq;
    if (!c.ignore_defaults) {
      EmitRule(OtlpAction::kIndexLabel, DefaultOtlpIndexLabelAttributes(), nullptr, &out);
    }
    for (const OtlpAttributeRule& r : c.resource_attributes) {
      EmitRule(r.action, r.attributes, r.regex.get(), &out);
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  if (!c.scope_attributes.empty()) {
    out << YAML::Key << "scope_attributes" << YAML::Value;
    EmitRules(c.scope_attributes, &out);
  }
  if (!c.log_attributes.empty()) {
    out << YAML::Key << "log_attributes" << YAML::Value;
    EmitRules(c.log_attributes, &out);
  }
  if (c.severity_text_as_label) {
    out << YAML::Key << "severity_text_as_label" << YAML::Value << true;
  }
  out << YAML::EndMap;
  return out.c_str();
}

bool OtlpAttributeRule::Matches(std::string_view attribute) const {
  if (regex != nullptr && re2::RE2::FullMatch(attribute, *regex)) return true;
  for (const std::string& a : attributes) {
    if (a == attribute) return true;
  }
  return false;
}

OtlpAction OtlpConfig::ResourceAction(std::string_view attribute) const {
  if (!ignore_defaults) {
    for (const std::string& a : DefaultOtlpIndexLabelAttributes()) {
      if (a == attribute) return OtlpAction::kIndexLabel;
    }
  }
  return FirstMatch(resource_attributes, attribute);
}

OtlpAction OtlpConfig::ScopeAction(std::string_view attribute) const {
  return FirstMatch(scope_attributes, attribute);
}

OtlpAction OtlpConfig::LogAction(std::string_view attribute) const {
  return FirstMatch(log_attributes, attribute);
}

Result<std::shared_ptr<const OtlpConfig>> ParseOtlpConfigYaml(const YAML::Node& node,
                                                              std::string_view path) {
  auto config = std::make_shared<OtlpConfig>();
  if (node.IsNull()) return std::shared_ptr<const OtlpConfig>(std::move(config));
  if (!node.IsMap()) return At(node, std::string(path), "want a mapping");
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const YAML::Node& value = kv.second;
    const std::string at = Join(path, key);
    if (key == "resource_attributes") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) return At(value, at, "want a mapping");
      for (const auto& r : value) {
        const std::string rkey = r.first.IsScalar() ? r.first.Scalar() : "";
        const std::string rat = Join(at, rkey);
        if (rkey == "ignore_defaults") {
          const std::string b = r.second.IsScalar() ? r.second.Scalar() : "";
          if (b != "true" && b != "false") return At(r.second, rat, "want true or false");
          config->ignore_defaults = b == "true";
        } else if (rkey == "attributes_config") {
          SAW_RETURN_IF_ERROR(ParseRules(r.second, rat, true, &config->resource_attributes));
        } else {
          return At(r.first, rat, "field not found");
        }
      }
    } else if (key == "scope_attributes") {
      SAW_RETURN_IF_ERROR(ParseRules(value, at, false, &config->scope_attributes));
    } else if (key == "log_attributes") {
      SAW_RETURN_IF_ERROR(ParseRules(value, at, true, &config->log_attributes));
    } else if (key == "severity_text_as_label") {
      const std::string b = value.IsScalar() ? value.Scalar() : "";
      if (b != "true" && b != "false") return At(value, at, "want true or false");
      config->severity_text_as_label = b == "true";
    } else {
      return At(kv.first, at, "field not found");
    }
  }
  return std::shared_ptr<const OtlpConfig>(std::move(config));
}

}  // namespace sawmill::ingest
