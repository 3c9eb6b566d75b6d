#include "server/config_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "server/flags.h"

namespace sawmill::server {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

class ConfigFileTest : public ::testing::Test {
 protected:
  ~ConfigFileTest() override { std::filesystem::remove(path_); }

  // Writes `yaml` to the file and parses `-config.file=<it>` followed by `args`.
  Result<Config> Load(const std::string& yaml, std::vector<std::string> args = {}) {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << yaml;
    args.insert(args.begin(), "-config.file=" + path_);
    std::vector<const char*> argv = {"sawmill"};
    for (const std::string& a : args) argv.push_back(a.c_str());
    return ParseFlags(static_cast<int>(argv.size()), argv.data());
  }

  const std::string path_ =
      ::testing::TempDir() + "config_file_test_" + std::to_string(::getpid()) + ".yaml";
};

TEST_F(ConfigFileTest, AppliesEverySection) {
  Result<Config> c = Load(R"(
auth_enabled: true
server:
  http_listen_address: 0.0.0.0
  http_listen_port: 9999
  log_level: debug
storage:
  path: /tmp/sawmill-data
  sync_policy: fsync
  encoding: zstd
  write_buffer_size: 16MiB
  block_cache_size: 32MiB
ingester:
  chunk_idle_period: 5m
  head_bytes_budget: 200MiB
retention:
  period: 30d
runtime_config:
  file: /etc/overrides.yaml
  period: 20s
querier:
  max_concurrent: 7
limits_config:
  max_line_size: 1MB
  ingestion_rate_mb: 8
  max_global_streams_per_user: 1000
  reject_old_samples: false
  max_entries_limit_per_query: 100
  max_query_length: 12h
  query_timeout: 2m
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->auth.auth_enabled);
  EXPECT_EQ(c->listen_address, "0.0.0.0");
  EXPECT_EQ(c->listen_port, 9999);
  EXPECT_EQ(c->log_level, LogLevel::kDebug);
  EXPECT_EQ(c->store.write_buffer_bytes, 16ull << 20);
  EXPECT_EQ(c->store.block_cache_bytes, 32ull << 20);
  EXPECT_EQ(c->store.head_bytes_budget, 200ull << 20);
  EXPECT_EQ(c->store.data_dir, "/tmp/sawmill-data");
  EXPECT_EQ(c->store.sync, storage::SyncPolicy::kFsync);
  EXPECT_EQ(c->store.chunk.encoding, storage::Encoding::kZstd);
  EXPECT_EQ(c->store.chunk_idle, std::chrono::minutes(5));
  EXPECT_EQ(c->store.retention, hours(30 * 24));
  EXPECT_EQ(c->runtime_config_file, "/etc/overrides.yaml");
  EXPECT_EQ(c->runtime_config_reload_period, seconds(20));
  EXPECT_EQ(c->query_limits.max_concurrent, 7u);
  EXPECT_EQ(c->limits.max_line_size, 1000000u);
  EXPECT_EQ(c->limits.ingestion_rate_mb, 8);
  EXPECT_EQ(c->limits.max_global_streams_per_user, 1000u);
  EXPECT_FALSE(c->limits.reject_old_samples);
  EXPECT_EQ(c->query_limits.max_entries_per_query, 100u);
  EXPECT_EQ(c->query_limits.max_query_length, hours(12));
  EXPECT_EQ(c->query_limits.query_timeout, std::chrono::minutes(2));
}

TEST_F(ConfigFileTest, EmptyFileAndEmptySectionsKeepDefaults) {
  for (const char* yaml : {"", "server:\n", "server:\n  log_level:\n", "# only a comment\n"}) {
    SCOPED_TRACE(yaml);
    Result<Config> c = Load(yaml);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->listen_port, 3100);
    EXPECT_EQ(c->log_level, LogLevel::kInfo);
  }
}

TEST_F(ConfigFileTest, CommandLineFlagsOverrideTheFileWhateverTheirOrder) {
  const std::string yaml =
      "server:\n  http_listen_port: 9999\nlimits_config:\n  max_line_size: 1KB\n";
  // Flags before and after -config.file both win.
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << yaml;
  const std::string file_flag = "-config.file=" + path_;
  const char* argv[] = {"sawmill", "-server.http-listen-port=0", file_flag.c_str(),
                        "-distributor.max-line-size=2KB"};
  Result<Config> c = ParseFlags(4, argv);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen_port, 0);
  EXPECT_EQ(c->limits.max_line_size, 2000u);
  EXPECT_NE(c->effective_yaml.find("http_listen_port: 0\n"), std::string::npos)
      << c->effective_yaml;
  EXPECT_NE(c->effective_yaml.find("max_line_size: 2KB\n"), std::string::npos) << c->effective_yaml;
}

TEST_F(ConfigFileTest, ErrorsNameTheFileLineColumnAndKey) {
  struct Case {
    std::string yaml;
    std::string want;  // a part of the message
  };
  const Case cases[] = {
      {"server:\n  http_listen_prt: 1\n", "line 2, col 3: server.http_listen_prt: field not found"},
      {"nosuchsection:\n  a: 1\n", "line 1, col 1: nosuchsection: field not found"},
      {"server:\n  http_listen_port: many\n",
       "line 2, col 21: server.http_listen_port: invalid value \"many\""},
      {"server:\n  http_listen_port: [1, 2]\n",
       "line 2, col 21: server.http_listen_port: want a "
       "single value"},
      {"server: 3\n", "line 1, col 9: server: want a mapping"},
      {"limits_config:\n  max_line_size: lots\n", "line 2, col 18: limits_config.max_line_size"},
      {"limits_config:\n  max_lines: 1\n",
       "line 2, col 3: limits_config.max_lines: field not found"},
      {"limits_config:\n  query_timeout: 0s\n", "limits_config.query_timeout: invalid value"},
      {"server:\n  log_level: info\n  log_level: debug\n",
       "line 3, col 3: server.log_level: key already defined"},
      {"server:\n  - a\n", "line 2, col 3: server: want a mapping"},
      {"server: {\n", "yaml-cpp"},
      {"- 1\n- 2\n", "config: want a mapping"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    Result<Config> r = Load(c.yaml);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    const std::string& msg = r.status().message();
    if (c.want != "yaml-cpp") {
      EXPECT_NE(msg.find(c.want), std::string::npos) << msg;
    }
    EXPECT_EQ(msg.rfind("invalid config file " + path_ + ": ", 0), 0u) << msg;
  }
}

TEST_F(ConfigFileTest, MissingFileIsAnError) {
  const char* argv[] = {"sawmill", "-config.file=/no/such/dir/sawmill.yaml"};
  Result<Config> c = ParseFlags(2, argv);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("reading config file /no/such/dir/sawmill.yaml"),
            std::string::npos)
      << c.status().message();
}

TEST_F(ConfigFileTest, ExpandsEnvironmentOnlyWithExpandEnv) {
  ::setenv("SAWMILL_CONFIG_TEST_PORT", "4242", 1);
  ::unsetenv("SAWMILL_CONFIG_TEST_UNSET");
  const std::string yaml =
      "server:\n  http_listen_port: ${SAWMILL_CONFIG_TEST_PORT}\n"
      "storage:\n  path: ${SAWMILL_CONFIG_TEST_UNSET:-/var/lib/x}\n";
  Result<Config> c = Load(yaml, {"-config.expand-env=true"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen_port, 4242);
  EXPECT_EQ(c->store.data_dir, "/var/lib/x");

  Result<Config> literal = Load(yaml);  // without the flag, as Loki: no expansion
  ASSERT_FALSE(literal.ok());
  EXPECT_NE(literal.status().message().find("${SAWMILL_CONFIG_TEST_PORT}"), std::string::npos)
      << literal.status().message();
}

TEST(ExpandEnvTest, ReplacesReferences) {
  const std::map<std::string, std::string> env = {{"A", "alpha"}, {"EMPTY", ""}, {"B_2", "b"}};
  auto lookup = [&env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  struct Case {
    std::string in, want;
  };
  const Case cases[] = {
      {"x: ${A}", "x: alpha"},          {"${A}${B_2}", "alphab"},
      {"x: ${UNSET}", "x: "},           {"x: ${UNSET:-dflt}", "x: dflt"},
      {"x: ${EMPTY:-dflt}", "x: dflt"}, {"x: ${A:-dflt}", "x: alpha"},
      {"x: ${UNSET:-}", "x: "},         {"price: $5 and $A", "price: $5 and $A"},
      {"trailing $", "trailing $"},     {"x: ${UNSET:-a:-b}", "x: a:-b"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    Result<std::string> out = ExpandEnv(c.in, lookup);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out, c.want);
  }
}

TEST(ExpandEnvTest, RejectsBadReferencesNamingTheLine) {
  auto lookup = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  struct Case {
    std::string in, want;
  };
  const Case cases[] = {
      {"a: 1\nb: ${OPEN\n", "line 2: unterminated ${"},
      {"a: ${}", "line 1: bad environment variable reference ${}"},
      {"a: ${1X}", "line 1: bad environment variable reference ${1X}"},
      {"a: ${A B}", "line 1: bad environment variable reference"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    Result<std::string> out = ExpandEnv(c.in, lookup);
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.status().message().find(c.want), std::string::npos) << out.status().message();
  }
}

TEST(RenderConfigYamlTest, NestsPathsAndMasksSecrets) {
  const std::string yaml = RenderConfigYaml({{"auth_enabled", "false"},
                                             {"server.http_listen_port", "3100"},
                                             {"server.http_tls_config.cert_file", "/c.pem"},
                                             {"auth.password", "hunter2"},
                                             {"auth.bearer_token_file", "/t"},
                                             {"server.http_listen_port", "0"}});
  EXPECT_EQ(yaml,
            "auth_enabled: false\n"
            "server:\n"
            "  http_listen_port: 0\n"
            "  http_tls_config:\n"
            "    cert_file: /c.pem\n"
            "auth:\n"
            "  password: \"********\"\n"
            "  bearer_token_file: /t\n");
}

TEST(RenderConfigYamlTest, EffectiveConfigWithoutAFileListsEveryDefault) {
  const char* argv[] = {"sawmill"};
  Result<Config> c = ParseFlags(1, argv);
  ASSERT_TRUE(c.ok());
  for (const char* want : {"server:\n  http_listen_address: 127.0.0.1\n  http_listen_port: 3100\n",
                           "limits_config:\n  max_line_size: 256KB\n", "storage:\n  path: ./data\n",
                           "max_entries_limit_per_query: 5000\n"}) {
    EXPECT_NE(c->effective_yaml.find(want), std::string::npos) << c->effective_yaml;
  }
}

}  // namespace
}  // namespace sawmill::server
