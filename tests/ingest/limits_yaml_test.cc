#include "ingest/limits_yaml.h"

#include <gtest/gtest.h>

#include <string>

#include "ingest/otlp_config.h"

namespace sawmill::ingest {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TEST(LimitsYamlTest, ParsesEveryLimitByItsLokiName) {
  const char* yaml = R"(
overrides:
  tenant-a:
    max_line_size: 1MB
    max_line_size_truncate: true
    max_label_names_per_series: 30
    max_label_name_length: 100
    max_label_value_length: 200
    reject_old_samples: false
    reject_old_samples_max_age: 1w
    creation_grace_period: 1h
    ingestion_rate_mb: 12.5
    ingestion_burst_size_mb: 25
    max_streams_per_user: 1000
    max_global_streams_per_user: 5000
  tenant-b:
    max_line_size: 4096
)";
  PushLimits defaults;
  defaults.ingestion_rate_mb = 3;
  Result<TenantLimits> got = ParseRuntimeConfig(yaml, defaults);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  const PushLimits& a = got->at("tenant-a");
  EXPECT_EQ(a.max_line_size, 1000000u);
  EXPECT_TRUE(a.truncate_lines);
  EXPECT_EQ(a.max_label_names, 30u);
  EXPECT_EQ(a.max_label_name_length, 100u);
  EXPECT_EQ(a.max_label_value_length, 200u);
  EXPECT_FALSE(a.reject_old_samples);
  EXPECT_EQ(a.reject_old_samples_max_age, hours(24 * 7));
  EXPECT_EQ(a.creation_grace_period, hours(1));
  EXPECT_DOUBLE_EQ(a.ingestion_rate_mb, 12.5);
  EXPECT_DOUBLE_EQ(a.ingestion_burst_size_mb, 25);
  EXPECT_EQ(a.max_streams_per_user, 1000u);
  EXPECT_EQ(a.max_global_streams_per_user, 5000u);
  EXPECT_EQ(a.StreamLimit(), 1000u);
  // tenant-b starts from the defaults: only its one key differs.
  const PushLimits& b = got->at("tenant-b");
  EXPECT_EQ(b.max_line_size, 4096u);
  EXPECT_DOUBLE_EQ(b.ingestion_rate_mb, 3);
  EXPECT_EQ(b.creation_grace_period, minutes(10));
}

TEST(LimitsYamlTest, EmptyFilesAndSectionsGiveNoOverrides) {
  for (const char* yaml : {"", "# nothing yet\n", "overrides:\n", "overrides: {}\n",
                           "configs:\n  a:\n    log_stream_creation: true\noverrides:\n"}) {
    SCOPED_TRACE(yaml);
    Result<TenantLimits> got = ParseRuntimeConfig(yaml, PushLimits());
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(got->empty());
  }
  Result<TenantLimits> got = ParseRuntimeConfig("overrides:\n  quiet:\n", PushLimits());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->at("quiet").max_line_size, PushLimits().max_line_size);
}

TEST(LimitsYamlTest, ErrorsNameTheLineAndTheKey) {
  struct Case {
    const char* yaml;
    const char* want;  // a substring of the message
  };
  const Case cases[] = {
      {"overrides:\n  a:\n    ingestion_rate_mb: ten\n",
       "line 3, col 24: overrides.a.ingestion_rate_mb: want a number"},
      {"overrides:\n  a:\n    ingestion_rate_mb: -1\n", "overrides.a.ingestion_rate_mb"},
      {"overrides:\n  a:\n    max_line_size: 12XB\n",
       "line 3, col 20: overrides.a.max_line_size: unknown size unit"},
      {"overrides:\n  a:\n    max_streams_per_user: 1.5\n",
       "overrides.a.max_streams_per_user: want a whole number, got \"1.5\""},
      {"overrides:\n  a:\n    reject_old_samples: maybe\n",
       "overrides.a.reject_old_samples: want true or false"},
      {"overrides:\n  a:\n    creation_grace_period: soon\n",
       "overrides.a.creation_grace_period: not a valid duration"},
      {"overrides:\n  a:\n    ingestion_rate: 4\n",
       "line 3, col 5: overrides.a.ingestion_rate: field not found"},
      {"overides:\n  a: {}\n", "line 1, col 1: overides: field not found"},
      {"overrides:\n  a:\n    max_line_size: [1, 2]\n", "want a single value"},
      {"overrides:\n  a:\n    max_line_size:\n", "want a value, got nothing"},
      {"overrides:\n  a: 5\n", "overrides.a: want a mapping"},
      {"overrides: [a, b]\n", "overrides: want a mapping of tenants"},
      {"- just\n- a list\n", "want a mapping with an overrides key"},
      {"overrides:\n  a:\n    max_line_size: \"unterminated\n", "line"},
      {"overrides:\n  a:\n  ingestion_rate_mb: 1\n\tbad: tab\n", "line"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    Result<TenantLimits> got = ParseRuntimeConfig(c.yaml, PushLimits());
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find(c.want), std::string::npos) << got.status().message();
  }
}

TEST(LimitsYamlTest, DeletionModeAndOtlpConfigPerTenant) {
  const char* yaml = R"(
overrides:
  a:
    deletion_mode: filter-only
    otlp_config:
      resource_attributes:
        attributes_config:
          - action: index_label
            attributes: [host.name]
          - action: drop
            regex: 'secret\..*'
          - attributes: [k8s.pod.name]
            action: drop
      scope_attributes:
        - action: drop
          attributes: [sdk]
      log_attributes:
        - regex: "debug_.*"
          action: drop
        - action: index_label
          attributes: [log.file.path]
      severity_text_as_label: true
  b:
    deletion_mode: disabled
    otlp_config:
      resource_attributes:
        ignore_defaults: true
)";
  Result<TenantLimits> got = ParseRuntimeConfig(yaml, PushLimits());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const PushLimits& a = got->at("a");
  EXPECT_EQ(a.deletion_mode, DeletionMode::kFilterOnly);
  ASSERT_NE(a.otlp_config, nullptr);
  const OtlpConfig& ca = *a.otlp_config;
  EXPECT_EQ(ca.ResourceAction("host.name"), OtlpAction::kIndexLabel);
  EXPECT_EQ(ca.ResourceAction("secret.token"), OtlpAction::kDrop);
  EXPECT_EQ(ca.ResourceAction("not.secret.token"), OtlpAction::kStructuredMetadata)
      << "the regex matches the whole name";
  // The defaults come first unless ignore_defaults: k8s.pod.name stays an index label.
  EXPECT_EQ(ca.ResourceAction("k8s.pod.name"), OtlpAction::kIndexLabel);
  EXPECT_EQ(ca.ResourceAction("service.name"), OtlpAction::kIndexLabel);
  EXPECT_EQ(ca.ScopeAction("sdk"), OtlpAction::kDrop);
  EXPECT_EQ(ca.LogAction("debug_x"), OtlpAction::kDrop);
  EXPECT_EQ(ca.LogAction("order.id"), OtlpAction::kStructuredMetadata);
  // Loki 3.5: log attributes may be index labels; severity_text too.
  EXPECT_EQ(ca.LogAction("log.file.path"), OtlpAction::kIndexLabel);
  EXPECT_TRUE(ca.severity_text_as_label);
  const PushLimits& b = got->at("b");
  EXPECT_EQ(b.deletion_mode, DeletionMode::kDisabled);
  ASSERT_NE(b.otlp_config, nullptr);
  EXPECT_EQ(b.otlp_config->ResourceAction("service.name"), OtlpAction::kStructuredMetadata);
  EXPECT_FALSE(b.otlp_config->severity_text_as_label);
  // GET /config's rendering (Loki's keys, omissions and rule order).
  EXPECT_EQ(OtlpConfigYaml(b.otlp_config.get()), "resource_attributes:\n  ignore_defaults: true");
  const std::string shown = OtlpConfigYaml(a.otlp_config.get());
  EXPECT_EQ(shown.find("resource_attributes:\n  attributes_config:\n    - action: index_label\n"
                       "      attributes:\n        - service.name\n"),
            0u)
      << shown;
  EXPECT_NE(shown.find("    - action: drop\n      regex: secret\\..*\n"), std::string::npos)
      << shown;
  EXPECT_NE(shown.find("log_attributes:\n  - action: drop\n    regex: debug_.*\n"
                       "  - action: index_label\n    attributes:\n      - log.file.path\n"
                       "severity_text_as_label: true"),
            std::string::npos)
      << shown;
  EXPECT_EQ(PushLimits().deletion_mode, DeletionMode::kFilterAndDelete);
  EXPECT_EQ(PushLimits().otlp_config, nullptr);

  struct Case {
    const char* yaml;
    const char* want;
  };
  const Case bad[] = {
      {"overrides:\n  a:\n    deletion_mode: sometimes\n",
       "overrides.a.deletion_mode: unknown deletion mode"},
      {"overrides:\n  a:\n    otlp_config:\n      resource_attributes:\n"
       "        attributes_config:\n          - action: keep\n            attributes: [x]\n",
       "unsupported action, it must be one of: drop, index_label, structured_metadata"},
      {"overrides:\n  a:\n    otlp_config:\n      scope_attributes:\n"
       "        - action: index_label\n          attributes: [x]\n",
       "index_label action is only supported for resource_attributes"},
      {"overrides:\n  a:\n    otlp_config:\n      severity_text_as_label: maybe\n",
       "overrides.a.otlp_config.severity_text_as_label: want true or false"},
      {"overrides:\n  a:\n    otlp_config:\n      scope_attributes:\n        - action: drop\n",
       "attributes or regex must be set"},
      {"overrides:\n  a:\n    otlp_config:\n      scope_attributes:\n"
       "        - action: drop\n          attributes: [x]\n          regex: y\n",
       "only one of attributes or regex must be set"},
      {"overrides:\n  a:\n    otlp_config:\n      log_attributes:\n        - regex: \"(\"\n",
       "invalid regex"},
      {"overrides:\n  a:\n    otlp_config:\n      resources: {}\n",
       "overrides.a.otlp_config.resources: field not found"},
  };
  for (const Case& c : bad) {
    SCOPED_TRACE(c.yaml);
    Result<TenantLimits> r = ParseRuntimeConfig(c.yaml, PushLimits());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

TEST(OverridesTest, TenantsWithoutAnOverrideGetTheDefaults) {
  PushLimits defaults;
  defaults.max_line_size = 10;
  Overrides o(defaults);
  EXPECT_EQ(o.For("a").max_line_size, 10u);
  TenantLimits per_tenant;
  per_tenant["a"].max_line_size = 20;
  o.Replace(per_tenant);
  EXPECT_EQ(o.For("a").max_line_size, 20u);
  EXPECT_EQ(o.For("b").max_line_size, 10u);
  EXPECT_EQ(o.num_overrides(), 1u);
  o.Replace({});
  EXPECT_EQ(o.For("a").max_line_size, 10u);
}

TEST(PushLimitsTest, StreamLimitIsTheSmallerNonZeroOne) {
  PushLimits l;
  l.max_streams_per_user = 0;
  l.max_global_streams_per_user = 0;
  EXPECT_EQ(l.StreamLimit(), 0u);
  l.max_global_streams_per_user = 50;
  EXPECT_EQ(l.StreamLimit(), 50u);
  l.max_streams_per_user = 70;
  EXPECT_EQ(l.StreamLimit(), 50u);
  l.max_global_streams_per_user = 0;
  EXPECT_EQ(l.StreamLimit(), 70u);
}

}  // namespace
}  // namespace sawmill::ingest
