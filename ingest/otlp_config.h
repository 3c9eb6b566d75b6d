// OtlpConfig: Loki's per-tenant `otlp_config` (limits_config.otlp_config, also in the runtime
// overrides file; pkg/loghttp/push/otlp_config.go): what OTLP ingestion does with each
// resource, scope and log attribute.
//
//   otlp_config:
//     resource_attributes:
//       ignore_defaults: false        # true: Loki's default index labels are not promoted
//       attributes_config:
//         - action: index_label       # index_label | structured_metadata | drop
//           attributes: [k8s.node.name]
//         - action: drop
//           regex: "process\\..*"     # matched against the whole attribute name
//     scope_attributes:               # structured_metadata | drop
//       - action: drop
//         attributes: [telemetry.sdk.name]
//     log_attributes:                 # index_label | structured_metadata | drop
//       - action: drop
//         regex: "debug_.*"
//     severity_text_as_label: false   # true: severity_text is also an index label
//
// Each rule names either `attributes` or `regex` (not both); `action` defaults to
// structured_metadata. An attribute takes the action of the first rule it matches (a regex
// rule is tried before its own attribute list), structured_metadata when none matches. Unless
// ignore_defaults, a first resource rule promotes Loki's default list
// (DefaultOtlpIndexLabelAttributes) to index labels, so those cannot be overridden without it,
// as in Loki. Attribute names are matched before normalization (`service.name`). A log
// attribute made index_label, and severity_text with severity_text_as_label, split a
// resource's records into streams by their values (Loki 3.5; recommended against, as each
// value is a stream).
//
// Immutable once parsed; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/result.h"

namespace re2 {
class RE2;
}
namespace YAML {
class Node;
}

namespace sawmill::ingest {

enum class OtlpAction { kIndexLabel, kStructuredMetadata, kDrop };

struct OtlpAttributeRule {
  OtlpAction action = OtlpAction::kStructuredMetadata;
  std::vector<std::string> attributes;
  std::shared_ptr<const re2::RE2> regex;  // null when `attributes` is used

  bool Matches(std::string_view attribute) const;
};

struct OtlpConfig {
  bool ignore_defaults = false;
  std::vector<OtlpAttributeRule> resource_attributes;  // attributes_config, without the default
  std::vector<OtlpAttributeRule> scope_attributes;
  std::vector<OtlpAttributeRule> log_attributes;
  bool severity_text_as_label = false;

  OtlpAction ResourceAction(std::string_view attribute) const;
  OtlpAction ScopeAction(std::string_view attribute) const;
  OtlpAction LogAction(std::string_view attribute) const;
};

// Parses an `otlp_config` mapping. Errors name the line, column and path ("path.resource_
// attributes.attributes_config[0].action: ...") as limits_yaml.h's do; Loki's messages for
// an unknown action, a rule with neither or both of attributes and regex, and index_label
// in scope_attributes. May throw YAML::Exception (the caller converts it).
Result<std::shared_ptr<const OtlpConfig>> ParseOtlpConfigYaml(const YAML::Node& node,
                                                              std::string_view path);

// The config as Loki's GET /config shows limits_config.otlp_config (a YAML mapping, Loki's
// keys and omissions): resource_attributes with ignore_defaults (only when true) and
// attributes_config, whose first rule is Loki's default index_label list unless
// ignore_defaults; then scope_attributes and log_attributes when not empty, and
// severity_text_as_label when true. Each rule: action, then attributes or regex (its text as
// written). `config` null: the defaults.
std::string OtlpConfigYaml(const OtlpConfig* config);

}  // namespace sawmill::ingest
